import pytest

from tests.factories import make_congress
from tests.pages.conftest import compiled_french  # noqa: F401  (the pages are asserted in French)


@pytest.fixture(autouse=True)
def plain_http(settings):
    # The test client speaks plain HTTP; production redirects it to HTTPS (tested with the settings).
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def congress():
    return make_congress()
