"""Every change to public content bumps the programme version, whichever way it was made.

Saves and deletes go through signals; bulk updates (admin actions) call ProgrammeVersion.bump() themselves.
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from congress.models import ProgrammeVersion

PUBLIC_CONTENT_MODELS = [
    "congress.Venue",
    "congress.Room",
    "congress.Congress",
    "congress.Organisation",
    "congress.Participation",
    "congress.Track",
    "congress.Session",
    "speakers.Speaker",
    "speakers.SessionSpeaker",
]


def bump_programme_version(**kwargs) -> None:
    if kwargs.get("raw"):  # fixtures loading: nothing is served yet
        return
    # Inside the editing transaction: other processes see the new number exactly when they see the edit.
    ProgrammeVersion.bump()


for label in PUBLIC_CONTENT_MODELS:
    model = apps.get_model(label)
    post_save.connect(bump_programme_version, sender=model, dispatch_uid=f"programme-version-save-{label}")
    post_delete.connect(bump_programme_version, sender=model, dispatch_uid=f"programme-version-delete-{label}")
m2m_changed.connect(
    bump_programme_version,
    sender=apps.get_model("speakers.Speaker").sessions.through,
    dispatch_uid="programme-version-speaker-sessions",
)
