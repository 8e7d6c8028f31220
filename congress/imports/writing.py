"""Applying an import plan (congress.imports.planning) in one transaction, with bulk operations.

The number of queries does not grow with the number of sessions beyond the database's batch size: rooms,
tracks, speakers, sessions, speaker links and import records are each read once and written in bulk. Bulk
writes send no signals, so what a save would do is done here: the revision (calendar SEQUENCE) goes up when
a revised field changes, exactly as Session.save() does for an admin edit, and the programme version once.
"""

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from congress.imports.french import FRENCH_COLUMNS, column
from congress.imports.planning import (
    IMPORT_RECORD_LABEL,
    OWNED_FIELDS,
    SPEAKERS,
    ImportPlan,
    Outcome,
    Planner,
    SessionLine,
    plan_import,
    unique_slug,
)
from congress.imports.readers import ImportedSchedule
from congress.models import Congress, ProgrammeVersion, Room, SeedRecord, Session, Track

# The speakers app depends on congress, never the reverse: its models by name.
SessionSpeaker, Speaker = apps.get_model("speakers", "SessionSpeaker"), apps.get_model("speakers", "Speaker")

# Session.REVISED_FIELDS names the room by its column; the plan names fields.
# bulk_update writes columns: the French columns django-modeltranslation reads, beside the original ones.
FRENCH_FIELDS = tuple(FRENCH_COLUMNS.values())
REVISED = {
    {"room_id": "room", "title_fr": "title", "title_en": "title"}.get(name, name) for name in Session.REVISED_FIELDS
}


class ImportRefused(Exception):
    """The plan has errors: nothing was written."""

    def __init__(self, plan: ImportPlan):
        self.plan = plan
        super().__init__("\n".join(plan.errors))


def speakers_by_name(names: set[str]) -> dict[str, Speaker]:
    """The speakers the file names, existing ones found by name (the lowest id of homonyms), others created."""
    found: dict[str, Speaker] = {}
    for speaker in Speaker.objects.filter(name__in=names).order_by("-pk"):
        found[speaker.name] = speaker
    missing = sorted(names - set(found))
    if missing:
        # Every slug, once: a few tens of thousands of short strings at most, and one query.
        taken = set(Speaker.objects.values_list("slug", flat=True))
        created = [
            Speaker(
                name=name,
                slug=unique_slug(name, taken, max_length=120, fallback="speaker"),
                sort_name=Speaker.default_sort_name(name),
            )
            for name in missing
        ]
        for speaker in Speaker.objects.bulk_create(created):
            found[speaker.name] = speaker
    return found


def record_fields(line: SessionLine) -> dict:
    last = line.record.values.get("fields", {}) if line.record is not None else {}
    fields = {name: last[name] for name in line.kept if name in last}
    for name in line.followed:
        if name == SPEAKERS:
            fields[name] = line.speaker_names
        else:
            fields[name] = Planner.stored_value(name, getattr(line.session, column(name)))
    return fields


@transaction.atomic
def apply_plan(plan: ImportPlan) -> ImportPlan:
    if plan.errors:
        raise ImportRefused(plan)
    Room.objects.bulk_create(plan.new_rooms)
    Track.objects.bulk_create(plan.new_tracks)
    lines = [line for line in plan.lines if line.outcome in (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED)]
    created = [line.session for line in lines if line.outcome == Outcome.CREATED]
    Session.objects.bulk_create(created)
    updated = [line for line in lines if line.outcome == Outcome.UPDATED]
    now = timezone.now()
    for line in updated:
        if REVISED & set(line.changes):
            line.session.revision += 1
        line.session.modified_at = now
    Session.objects.bulk_update(
        [line.session for line in updated], [*OWNED_FIELDS, *FRENCH_FIELDS, "revision", "modified_at"], batch_size=500
    )
    write_speaker_links([line for line in lines if line.speakers_change])
    prune(plan, now)
    write_records(plan.congress, lines)
    if plan.changed or plan.new_rooms or plan.new_tracks:
        ProgrammeVersion.bump()
    return plan


def write_speaker_links(lines: list[SessionLine]) -> None:
    if not lines:
        return
    speakers = speakers_by_name({name for line in lines for name in line.speaker_names})
    # One DELETE, without a post_delete signal per link (each would bump the programme version: apply_plan
    # bumps it once); links have nothing that cascades from them.
    old_links = SessionSpeaker.objects.filter(session__in=[line.session.pk for line in lines])
    old_links._raw_delete(old_links.db)
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(session=line.session, speaker=speakers[name], position=position)
        for line in lines
        for position, name in enumerate(line.speaker_names)
    )


def prune(plan: ImportPlan, now) -> None:
    """Missing sessions, when asked: published ones are cancelled (subscribers see them so), drafts deleted."""
    if not plan.prune or not plan.missing:
        return
    pks = [session.pk for session in plan.missing]
    Session.objects.filter(pk__in=pks, status=Session.Status.DRAFT).delete()
    Session.objects.filter(pk__in=pks, status=Session.Status.PUBLISHED).update(
        status=Session.Status.CANCELLED, revision=F("revision") + 1, modified_at=now
    )


def write_records(congress: Congress, lines: list[SessionLine]) -> None:
    new, changed = [], []
    for line in lines:
        values = {"pk": line.session.pk, "fields": record_fields(line)}
        if line.record is None:
            new.append(SeedRecord(model_label=IMPORT_RECORD_LABEL, natural_key=line.record_key, values=values))
        elif line.record.values != values:
            line.record.values = values
            changed.append(line.record)
    SeedRecord.objects.bulk_create(new, batch_size=500)
    SeedRecord.objects.bulk_update(changed, ["values"], batch_size=500)


def import_schedule(schedule: ImportedSchedule, congress: Congress, *, prune: bool = False, dry_run: bool = False):
    """Plan the import of `schedule` into `congress` and, unless `dry_run`, apply it (ImportRefused on errors)."""
    plan = plan_import(schedule, congress, prune=prune)
    if dry_run:
        if plan.errors:
            raise ImportRefused(plan)
        return plan
    return apply_plan(plan)
