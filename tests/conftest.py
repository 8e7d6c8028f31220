import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, so a cached page never leaks from one test into another."""
    cache.clear()
    yield
    cache.clear()
