"""Spreadsheet (CSV, XLSX) columns for sessions and speakers, read and written by django-import-export.

The columns are documented in the README ("Spreadsheets"). A session row names its edition by slug, its day
and times in the edition's own zone, its room and track by name (they must exist), its speakers by name
separated by semicolons (created when unknown). A spreadsheet row is an organiser's edit: its values are
written as typed, through Session.save(), so the revision and the programme version go up as for an admin
edit. The planning export adds what organisers plan rooms with: room capacity and agenda counts.
"""

import datetime as dt
import re
import uuid

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from congress.imports.writing import speakers_by_name
from congress.models import Congress, Organisation, Room, Session, Track

# The speakers app depends on congress, never the reverse: its models by name.
SessionSpeaker, Speaker = apps.get_model("speakers", "SessionSpeaker"), apps.get_model("speakers", "Speaker")

SESSION_COLUMNS = (
    "edition", "guid", "slug", "title", "kind", "status", "language", "day", "start", "end", "room", "track",
    "speakers", "abstract",
)  # fmt: skip
PLANNING_COLUMNS = (
    "edition", "day", "start", "end", "title", "status", "room", "capacity", "speakers", "agendas", "guid",
)  # fmt: skip
SPEAKER_COLUMNS = ("slug", "name", "sort_name", "job_title", "organisation", "biography")
# What a session row changes, compared to know whether a row changes anything.
COMPARED = ("congress_id", "title_fr", "slug", "kind", "status", "language", "abstract_fr", "starts_at", "ends_at")
COMPARED += ("room_id", "track_id")
TIME_PATTERN = re.compile(r"(\d{1,2})[:h](\d{2})(?::\d{2})?")
FRENCH_DATE_PATTERN = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def cell(row, name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def parse_day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if match := FRENCH_DATE_PATTERN.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(_("“%(value)s” is not a day such as 2025-03-19") % {"value": text}) from None


def parse_time(value) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    text = str(value or "").strip()
    match = TIME_PATTERN.fullmatch(text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return dt.time(int(match[1]), int(match[2]))
    raise ValueError(_("“%(value)s” is not a time such as 10:30") % {"value": text})


def not_a_uuid(guid: str) -> str:
    return _("guid: “%(value)s” is not a UUID") % {"value": guid}


def speaker_names(text: str) -> list[str]:
    return list(dict.fromkeys(name.strip()[:200] for name in text.split(";") if name.strip()))


def french_text(name: str) -> fields.Field:
    """The column `name` is the French text (`name_fr`): django-modeltranslation would read and write `name` in
    the admin's active language."""
    return fields.Field(attribute=f"{name}_{settings.LANGUAGE_CODE}", column_name=name, widget=widgets.CharWidget())


def named(name: str) -> Q:
    """A room or track called `name` in French or in English."""
    return Q(name_fr__iexact=name) | Q(name_en__iexact=name)


class SessionColumns(resources.ModelResource):
    """What the session export and the planning export share: times in the edition's zone, names."""

    title = french_text("title")
    abstract = french_text("abstract")

    edition = fields.Field(column_name="edition")
    guid = fields.Field(column_name="guid")
    day = fields.Field(column_name="day")
    start = fields.Field(column_name="start")
    end = fields.Field(column_name="end")
    room = fields.Field(column_name="room")
    track = fields.Field(column_name="track")
    speakers = fields.Field(column_name="speakers")

    def dehydrate_edition(self, session: Session) -> str:
        return session.congress.slug

    def dehydrate_guid(self, session: Session) -> str:
        return str(session.uid)

    def dehydrate_day(self, session: Session) -> str:
        return session.local_start.date().isoformat()

    def dehydrate_start(self, session: Session) -> str:
        return f"{session.local_start:%H:%M}"

    def dehydrate_end(self, session: Session) -> str:
        return f"{session.local_end:%H:%M}"

    def dehydrate_room(self, session: Session) -> str:
        return session.room.name_fr if session.room_id else ""

    def dehydrate_track(self, session: Session) -> str:
        return session.track.name_fr if session.track_id else ""

    def dehydrate_speakers(self, session: Session) -> str:
        return "; ".join(link.speaker.name for link in session.speaker_links_in_order)


class SessionResource(SessionColumns):
    class Meta:
        model = Session
        name = "Sessions"
        fields = SESSION_COLUMNS
        export_order = SESSION_COLUMNS
        import_id_fields = ()
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_instance(self, instance_loader, row):
        guid = cell(row, "guid")
        if guid:
            try:
                found = Session.objects.filter(uid=uuid.UUID(guid)).first()
            except ValueError:
                raise ValidationError({"uid": not_a_uuid(guid)}) from None
            if found is not None:
                return found
        edition, slug = cell(row, "edition"), cell(row, "slug")
        if edition and slug:
            return Session.objects.filter(congress__slug=edition, slug=slug).first()
        return None

    def init_instance(self, row=None):
        return Session()

    def import_instance(self, instance: Session, row, **kwargs) -> None:
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        edition = cell(row, "edition")
        congress = Congress.objects.select_related("venue").filter(slug=edition).first() if edition else None
        if congress is None:
            message = _("edition: no edition has the slug “%(slug)s”") % {"slug": edition}
            raise ValidationError(errors | {"congress": [message]})
        if instance.pk and instance.congress_id != congress.pk:
            raise ValidationError({"congress": [_("edition: this guid belongs to a session of another edition")]})
        instance.congress = congress
        guid = cell(row, "guid")
        if guid and instance.pk is None:
            try:
                instance.uid = uuid.UUID(guid)
            except ValueError:
                errors["uid"] = [not_a_uuid(guid)]
        if not instance.slug:
            instance.slug = slugify(cell(row, "title"))[:120]
        self.import_times(instance, row, congress, errors)
        self.import_place(instance, row, congress, errors)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def import_times(instance: Session, row, congress: Congress, errors: dict) -> None:
        moments = {}
        for column, field_name in (("start", "starts_at"), ("end", "ends_at")):
            try:
                day = parse_day(row.get("day"))
            except ValueError as exc:
                errors["starts_at"] = [f"day: {exc}"]
                return
            try:
                moments[field_name] = dt.datetime.combine(day, parse_time(row.get(column)), tzinfo=congress.tzinfo)
            except ValueError as exc:
                errors[field_name] = [f"{column}: {exc}"]
        for field_name, moment in moments.items():
            setattr(instance, field_name, moment)

    @staticmethod
    def import_place(instance: Session, row, congress: Congress, errors: dict) -> None:
        room_name, track_name = cell(row, "room"), cell(row, "track")
        instance.room = None
        if room_name:
            instance.room = Room.objects.filter(named(room_name), venue=congress.venue).first()
            if instance.room is None:
                errors["room"] = [
                    _("room: %(venue)s has no room called “%(name)s”")
                    % {"venue": congress.venue.name, "name": room_name}
                ]
        instance.track = None
        if track_name:
            instance.track = Track.objects.filter(named(track_name), congress=congress).first()
            if instance.track is None:
                errors["track"] = [
                    _("track: %(edition)s has no track called “%(name)s”")
                    % {"edition": congress.name, "name": track_name}
                ]

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        if import_validation_errors or original is None or original.pk is None:
            return False
        unchanged = all(getattr(instance, name) == getattr(original, name) for name in COMPARED)
        return unchanged and not self.speakers_change(instance, row)

    @staticmethod
    def speakers_change(instance: Session, row) -> bool:
        if "speakers" not in row:
            return False
        current = [link.speaker.name for link in instance.speaker_links.select_related("speaker")]
        return current != speaker_names(cell(row, "speakers"))

    def after_save_instance(self, instance: Session, row, **kwargs) -> None:
        # Within import-export's transaction: a dry run (the preview) is rolled back with the rest.
        if not self.speakers_change(instance, row):
            return
        names = speaker_names(cell(row, "speakers"))
        speakers = speakers_by_name(set(names))
        instance.speaker_links.all().delete()
        SessionSpeaker.objects.bulk_create(
            SessionSpeaker(session=instance, speaker=speakers[name], position=position)
            for position, name in enumerate(names)
        )


class SessionPlanningResource(SessionColumns):
    """Export only: what organisers plan rooms with (the agenda counts are not public)."""

    capacity = fields.Field(column_name="capacity")
    agendas = fields.Field(column_name="agendas")

    class Meta:
        model = Session
        name = "Planning (capacity and agendas)"
        fields = PLANNING_COLUMNS
        export_order = PLANNING_COLUMNS

    def dehydrate_capacity(self, session: Session):
        return session.room.capacity if session.room_id else None

    def dehydrate_agendas(self, session: Session) -> int:
        count = getattr(session, "star_count", None)
        return session.stars.count() if count is None else count


class SpeakerResource(resources.ModelResource):
    job_title = french_text("job_title")
    biography = french_text("biography")
    organisation = fields.Field(
        attribute="organisation", column_name="organisation", widget=widgets.ForeignKeyWidget(Organisation, "slug")
    )

    class Meta:
        model = Speaker
        name = "Speakers"
        fields = SPEAKER_COLUMNS
        export_order = SPEAKER_COLUMNS
        import_id_fields = ("slug",)
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs) -> None:
        if not cell(row, "slug") and cell(row, "name"):
            row["slug"] = slugify(cell(row, "name"))[:120]

    def import_instance(self, instance: Speaker, row, **kwargs) -> None:
        organisation = cell(row, "organisation")
        if organisation and not Organisation.objects.filter(slug=organisation).exists():
            message = _("organisation: no organisation has the slug “%(slug)s”") % {"slug": organisation}
            raise ValidationError({"organisation": [message]})
        super().import_instance(instance, row, **kwargs)
        if not instance.sort_name:
            instance.sort_name = Speaker.default_sort_name(instance.name)


def template_dataset(resource_class):
    """The columns of a resource and no row: the downloadable template."""
    return resource_class().export(queryset=resource_class._meta.model.objects.none())
