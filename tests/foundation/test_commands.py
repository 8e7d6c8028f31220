import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from congress.management.commands import create_organiser
from congress.models import Congress, Session
from congress.programme import fictitious_slug

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def printed_password(output: str) -> str:
    return re.search(r"Password \(shown only this once.*\): (\S+)", output).group(1)


def test_generate_programme_builds_a_current_fictitious_edition():
    output = run("generate_programme", "--sessions", "12")

    congress = Congress.objects.current().get()
    assert congress.slug == fictitious_slug(12)
    assert congress.sessions.published().count() == 12
    assert len(congress.days) == 3
    assert "12 published sessions" in output


def test_generate_programme_refuses_a_database_with_the_seeded_congress(seeded):
    with pytest.raises(CommandError, match="--force"):
        run("generate_programme", "--sessions", "12")

    assert list(Congress.objects.current().values_list("slug", flat=True)) == ["france-bioproduction-2025"]
    assert not Congress.objects.filter(slug=fictitious_slug(12)).exists()


def test_generate_programme_runs_beside_the_seeds_with_force(seeded):
    run("generate_programme", "--sessions", "12", "--force")

    assert Congress.objects.current().get().slug == fictitious_slug(12)
    assert Session.objects.filter(slug="moderniser-le-reseau-industriel-de-sanofi").exists()


def test_generate_programme_refuses_the_same_size_twice():
    run("generate_programme", "--sessions", "12")

    with pytest.raises(CommandError, match="exists already"):
        run("generate_programme", "--sessions", "12")

    assert Session.objects.count() == 12


def test_generate_programme_refuses_zero_sessions():
    with pytest.raises(CommandError, match="1 or more"):
        run("generate_programme", "--sessions", "0")


def test_generated_organiser_password_signs_in_to_the_admin(client):
    output = run("create_organiser", "claire", "--email", "claire@example.org", "--generate")

    response = client.post(
        reverse("admin:login"),
        {"username": "claire", "password": printed_password(output), "next": reverse("admin:index")},
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:congress_session_changelist")).status_code == 200


def test_organiser_account_is_staff_in_the_organisers_group_only():
    run("create_organiser", "claire", "--email", "claire@example.org", "--generate")

    user = User.objects.get(username="claire")
    assert (user.is_staff, user.is_superuser, user.email) == (True, False, "claire@example.org")
    assert list(user.groups.values_list("name", flat=True)) == ["Organisers"]


def test_generated_passwords_are_never_the_same():
    first = printed_password(run("create_organiser", "claire", "--generate"))
    second = printed_password(run("create_organiser", "denis", "--generate"))

    assert first != second
    assert len(first) >= 20


def test_password_is_generated_without_a_terminal(monkeypatch):
    monkeypatch.setattr(create_organiser, "is_interactive", lambda: False)

    output = run("create_organiser", "claire")

    assert User.objects.get(username="claire").check_password(printed_password(output))


def test_typed_password_is_asked_twice_and_validated(monkeypatch):
    answers = iter(
        [
            "court",  # too short
            "court",
            "un-mot-de-passe-solide-42",  # the two differ
            "autre-chose-encore-99",
            "un-mot-de-passe-solide-42",
            "un-mot-de-passe-solide-42",
        ]
    )
    monkeypatch.setattr(create_organiser, "is_interactive", lambda: True)
    monkeypatch.setattr(create_organiser, "getpass", lambda prompt: next(answers))

    output = run("create_organiser", "claire")

    assert User.objects.get(username="claire").check_password("un-mot-de-passe-solide-42")
    assert "Password (shown" not in output


def test_typed_password_that_never_passes_creates_nobody(monkeypatch):
    monkeypatch.setattr(create_organiser, "is_interactive", lambda: True)
    monkeypatch.setattr(create_organiser, "getpass", lambda prompt: "12345678")

    with pytest.raises(CommandError, match="no account created"):
        run("create_organiser", "claire")

    assert not User.objects.filter(username="claire").exists()


def test_existing_username_is_a_clear_error():
    User.objects.create_user("claire")

    with pytest.raises(CommandError, match="“claire” exists already"):
        run("create_organiser", "claire", "--generate")
