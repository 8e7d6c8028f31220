import pytest

from tests.factories import make_congress, make_venue
from tests.feeds.helpers import reference_schemas


@pytest.fixture(autouse=True)
def plain_http(settings):
    """The test client speaks plain HTTP; the HTTPS redirect is the production settings' business."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def congress():
    return make_congress(name="Congrès France Bioproduction 2025", acronym="fbp2025", venue=make_venue())


@pytest.fixture
def schemas():
    return reference_schemas()
