import pytest

from tests.agenda.conftest import plain_http  # noqa: F401  (the test client speaks plain HTTP)
from tests.factories import make_congress
from tests.pages.conftest import compiled_french  # noqa: F401  (the pages are asserted in French)


@pytest.fixture
def congress():
    return make_congress()
