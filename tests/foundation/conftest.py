import shutil

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.utils import translation

from congress.seeding import load_seeds


@pytest.fixture(autouse=True)
def english():
    """Admin pages under /en/admin/ and messages in English (the msgids), whatever the French catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def plain_http(settings):
    # The test client speaks plain HTTP; production settings would redirect it to HTTPS.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def seeded():
    return load_seeds()


@pytest.fixture
def seed_dir(tmp_path):
    """A copy of the repository's seed files, to edit in a test."""
    directory = tmp_path / "seeds"
    shutil.copytree(settings.BASE_DIR / "seeds", directory)
    return directory


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "not-used-in-tests"))
    return client


@pytest.fixture
def organiser():
    user = User.objects.create_user("organiser", "organiser@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client
