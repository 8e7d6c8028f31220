"""Admin login throttling (django-axes) and staff-only admin."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-battery-2025"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, *, is_staff: bool = True):
    return get_user_model().objects.create_user(username, password=PASSWORD, is_staff=is_staff)


def log_in(client, username: str, password: str):
    return client.post(reverse("admin:login") + "?next=/admin/", {"username": username, "password": password})


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client):
    make_user("alice")
    attempts = [log_in(client, "alice", "wrong password").status_code for _ in range(5)]

    response = log_in(client, "alice", PASSWORD)

    assert attempts == [200, 200, 200, 200, 429]  # the form again with an error; the fifth failure locks
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_locked_out_username_does_not_lock_out_another_user_or_the_public_site(client):
    make_user("alice")
    make_user("bob")
    for _ in range(6):
        log_in(client, "alice", "wrong password")

    bob = log_in(client, "bob", PASSWORD)
    health = client.get("/healthz")
    home = client.get(reverse("congress:home"))

    assert (bob.status_code, bob["Location"]) == (302, "/admin/")
    assert health.status_code == 200
    assert home.status_code == 200


def test_a_successful_login_before_the_limit_resets_the_count(client):
    make_user("alice")
    for _ in range(4):
        log_in(client, "alice", "wrong password")
    assert log_in(client, "alice", PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        log_in(client, "alice", "wrong password")
    response = log_in(client, "alice", PASSWORD)

    assert response.status_code == 302


def test_the_admin_is_for_staff_only(client):
    make_user("carol", is_staff=False)

    login = log_in(client, "carol", PASSWORD)
    admin = client.get("/admin/")

    assert login.status_code == 200  # refused: the form again
    assert "_auth_user_id" not in client.session
    assert (admin.status_code, admin["Location"]) == (302, "/admin/login/?next=/admin/")
