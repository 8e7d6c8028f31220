import datetime as dt
import uuid
import zoneinfo
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not an IANA time zone such as Europe/Paris."), params={"value": value})


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=100, default="France")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="venue_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="venue_longitude_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    @property
    def address_lines(self) -> list[str]:
        return [line for line in (self.street_address, f"{self.postcode} {self.city}".strip(), self.country) if line]

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Room(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("venue"))
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "slug"], name="room_slug_unique_per_venue"),
        ]

    def __str__(self) -> str:
        return self.name


class CongressQuerySet(models.QuerySet):
    def current(self) -> "CongressQuerySet":
        return self.filter(is_current=True)


class Congress(models.Model):
    edition = models.PositiveSmallIntegerField(_("edition number"))
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    acronym = models.SlugField(
        _("acronym"),
        max_length=40,
        validators=[
            RegexValidator(r"^[a-z0-9_]+$", _("Lowercase letters, digits and underscores only.")),
            MinLengthValidator(4),  # the frab schemas want at least four characters
        ],
        help_text=_("Short identifier used by conference apps, e.g. fbp2025 (no hyphen)."),
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris", validators=[validate_time_zone])
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="congresses", verbose_name=_("venue"))
    short_description = models.CharField(_("short description"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_current = models.BooleanField(
        _("current edition"), default=False, help_text=_("The edition the public site shows.")
    )

    objects = CongressQuerySet.as_manager()

    class Meta:
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="congress_ends_after_start"),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="only_one_current_congress"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def days(self) -> list[dt.date]:
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + dt.timedelta(days=offset) for offset in range(count)]

    def local(self, moment: dt.datetime) -> dt.datetime:
        return timezone.localtime(moment, self.tzinfo)

    def day_bounds(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """Start of `day` and of the next day in the congress zone (a DST day lasts 23 or 25 hours)."""
        start = dt.datetime.combine(day, dt.time.min, tzinfo=self.tzinfo)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=self.tzinfo)
        return start, end

    @property
    def starts_at(self) -> dt.datetime:
        return self.day_bounds(self.start_date)[0]

    @property
    def ends_at(self) -> dt.datetime:
        return self.day_bounds(self.end_date)[1]

    def make_current(self) -> None:
        """Mark this edition as the one the site shows, unmarking the previous one."""
        Congress.objects.filter(is_current=True).exclude(pk=self.pk).update(is_current=False)
        self.is_current = True
        self.save()


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def initials(self) -> str:
        return "".join(word[0] for word in self.name.split()[:3] if word[:1].isalnum()).upper()


class Participation(models.Model):
    class Role(models.TextChoices):
        ORGANISER = "organiser", _("Organiser")
        CO_ORGANISER = "co-organiser", _("Co-organiser")
        PARTNER = "partner", _("Partner")

    class Tier(models.TextChoices):
        PREMIUM = "premium", _("Premium partner")
        GOLD = "gold", _("Gold partner")
        SILVER = "silver", _("Silver partner")
        BRONZE = "bronze", _("Bronze partner")
        EXHIBITOR = "exhibitor", _("Exhibitor")
        SUPPORTER = "supporter", _("Supporter")

    TIER_ORDER = [Tier.PREMIUM, Tier.GOLD, Tier.SILVER, Tier.BRONZE, Tier.EXHIBITOR, Tier.SUPPORTER]

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="participations", verbose_name=_("congress")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="participations", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, blank=True)
    position = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["congress", "position", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "organisation"], name="one_participation_per_organisation"),
            models.CheckConstraint(
                condition=(Q(role="partner") & ~Q(tier="")) | (~Q(role="partner") & Q(tier="")),
                name="tier_only_and_always_for_partners",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_role_display()}"

    def clean(self) -> None:
        if self.role == self.Role.PARTNER and not self.tier:
            raise ValidationError({"tier": _("Choose a tier for a partner.")})
        if self.role != self.Role.PARTNER and self.tier:
            raise ValidationError({"tier": _("Only partners have a tier.")})

    @property
    def tier_rank(self) -> int:
        return self.TIER_ORDER.index(self.tier) if self.tier in self.TIER_ORDER else len(self.TIER_ORDER)


class Track(models.Model):
    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("congress"))
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1f5f8b",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour such as #1f5f8b."))],
    )
    position = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["congress", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["congress", "slug"], name="track_slug_unique_per_congress")]

    def __str__(self) -> str:
        return self.name


class SessionQuerySet(models.QuerySet):
    def of_congress(self, congress: Congress) -> "SessionQuerySet":
        return self.filter(congress=congress)

    def published(self) -> "SessionQuerySet":
        return self.filter(status=Session.Status.PUBLISHED)

    def public(self) -> "SessionQuerySet":
        """What attendees see: published sessions and cancelled ones (kept so that calendars drop them)."""
        return self.filter(status__in=[Session.Status.PUBLISHED, Session.Status.CANCELLED])

    def on_day(self, congress: Congress, day: dt.date) -> "SessionQuerySet":
        start, end = congress.day_bounds(day)
        return self.filter(starts_at__gte=start, starts_at__lt=end)

    def overlapping(self, starts_at: dt.datetime, ends_at: dt.datetime) -> "SessionQuerySet":
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def for_listing(self) -> "SessionQuerySet":
        """Everything a programme row touches, joined or prefetched once whatever the number of rows."""
        speaker_links = self.model._meta.get_field("speaker_links").related_model  # speakers depends on congress

        # No join of the congress: the callers ask the congress for its sessions (congress.sessions), and Django
        # gives each one that same object.
        return self.select_related("room", "track").prefetch_related(
            Prefetch(
                "speaker_links",
                queryset=speaker_links.objects.select_related("speaker__organisation").order_by("position", "pk"),
                # A list rather than a related manager's queryset on each session: cheaper to build by half.
                to_attr="listed_speaker_links",
            )
        )

    def chronological(self) -> "SessionQuerySet":
        return self.order_by("starts_at", "room__position", "room__name", "title")

    def bump_revision(self, **changes) -> int:
        """Bulk change that calendars must see as an update (admin actions): SEQUENCE goes up."""
        return self.update(revision=F("revision") + 1, modified_at=Now(), **changes)


class Session(models.Model):
    class Kind(models.TextChoices):
        KEYNOTE = "keynote", _("Keynote")
        TALK = "talk", _("Talk")
        ROUND_TABLE = "round-table", _("Round table")
        WORKSHOP = "workshop", _("Workshop")
        BREAK = "break", _("Break")
        NETWORKING = "networking", _("Networking")
        CEREMONY = "ceremony", _("Ceremony")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    # A change to one of these is a change calendars must pick up (SEQUENCE, RFC 5545 §3.8.7.4).
    REVISED_FIELDS = ("starts_at", "ends_at", "room_id", "title", "status")

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("congress")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TALK)
    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=120)
    abstract = models.TextField(_("abstract"), blank=True)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions", verbose_name=_("room")
    )
    track = models.ForeignKey(
        Track, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions", verbose_name=_("track")
    )
    is_highlighted = models.BooleanField(_("highlight"), default=False)
    time_to_be_confirmed = models.BooleanField(_("time to be confirmed"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.FRENCH)
    uid = models.UUIDField(_("calendar identity"), default=uuid.uuid4, editable=False, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)
    revision = models.PositiveIntegerField(
        _("revision"), default=0, editable=False, help_text=_("Goes up when time, room, title or status change.")
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.UniqueConstraint(fields=["congress", "slug"], name="session_slug_unique_per_congress"),
        ]
        indexes = [models.Index(fields=["congress", "status", "starts_at"], name="session_programme_idx")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        if all(name in instance.__dict__ for name in cls.REVISED_FIELDS):
            instance._saved_revised_values = instance._revised_values()
        return instance

    def _revised_values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.REVISED_FIELDS)

    def _stored_revised_values(self) -> tuple | None:
        if self._state.adding or self.pk is None:
            return None
        saved = getattr(self, "_saved_revised_values", None)
        if saved is None:  # loaded with deferred fields: ask the database what is stored
            saved = Session.objects.filter(pk=self.pk).values_list(*self.REVISED_FIELDS).first()
        return tuple(saved) if saved is not None else None

    def save(self, *args, **kwargs) -> None:
        saved = self._stored_revised_values()
        if saved is not None and saved != self._revised_values():
            self.revision += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "revision", "modified_at"}
        super().save(*args, **kwargs)
        self._saved_revised_values = self._revised_values()

    def get_absolute_url(self) -> str:
        return reverse("congress:session-detail", kwargs={"slug": self.slug})

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at

    @property
    def local_start(self) -> dt.datetime:
        return self.congress.local(self.starts_at)

    @property
    def local_end(self) -> dt.datetime:
        return self.congress.local(self.ends_at)

    @property
    def local_day(self) -> dt.date:
        return self.local_start.date()

    @property
    def speaker_links_in_order(self) -> list:
        """The session's speaker links in order, with speaker and organisation: as prefetched by for_listing(),
        or by a prefetch of speaker_links, else one query."""
        if hasattr(self, "listed_speaker_links"):
            return self.listed_speaker_links
        return list(self.speaker_links.all())

    @property
    def speakers_in_order(self) -> list:
        return [link.speaker for link in self.speaker_links_in_order]

    def is_running_at(self, moment: dt.datetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors.setdefault("ends_at", []).append(_("The end must be after the start."))
        congress = self.congress if self.congress_id else None
        if congress and self.starts_at and self.ends_at and not errors:
            if self.starts_at < congress.starts_at or self.ends_at > congress.ends_at:
                errors.setdefault("starts_at", []).append(
                    _("The session must take place within the congress dates (%(first)s – %(last)s).")
                    % {"first": congress.start_date.isoformat(), "last": congress.end_date.isoformat()}
                )
            if self.room_id and self.status != self.Status.CANCELLED:
                clash = (
                    Session.objects.filter(room_id=self.room_id)
                    .exclude(pk=self.pk)
                    .exclude(status=self.Status.CANCELLED)
                    .overlapping(self.starts_at, self.ends_at)
                    .first()
                )
                if clash:
                    errors.setdefault("room", []).append(
                        _("%(room)s is already used at that time by “%(title)s” (%(start)s–%(end)s).")
                        % {
                            "room": self.room,
                            "title": clash.title,
                            "start": congress.local(clash.starts_at).strftime("%H:%M"),
                            "end": congress.local(clash.ends_at).strftime("%H:%M"),
                        }
                    )
        if self.track_id and congress and self.track.congress_id != congress.pk:
            errors.setdefault("track", []).append(_("This track belongs to another congress."))
        if errors:
            raise ValidationError(errors)


class ProgrammeVersion(models.Model):
    """One row whose number goes up on every change to public content.

    Cache keys and ETags of every public page and feed include it, so an edit made through any app
    process is seen by all of them at once, and a conditional request costs one small query.
    """

    number = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("programme version")

    def __str__(self) -> str:
        return f"v{self.number}"

    @classmethod
    def current(cls) -> "ProgrammeVersion":
        version = cls.objects.filter(pk=1).first()
        return version or cls(pk=1, number=1, changed_at=timezone.now().replace(microsecond=0))

    @classmethod
    def bump(cls) -> None:
        now = timezone.now().replace(microsecond=0)
        updated = cls.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now)
        if not updated:
            cls.objects.get_or_create(pk=1, defaults={"number": 2, "changed_at": now})


class SeedRecord(models.Model):
    """What `load_seeds` last wrote for one row, field by field.

    A field whose current value still equals the seeded one is the seed's to update; a field an organiser
    has changed since is left alone. A seeded row an organiser deleted is not brought back.
    """

    model_label = models.CharField(max_length=100)
    natural_key = models.CharField(max_length=300)
    values = models.JSONField(default=dict)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("seed record")
        constraints = [models.UniqueConstraint(fields=["model_label", "natural_key"], name="one_seed_record_per_row")]

    def __str__(self) -> str:
        return f"{self.model_label} {self.natural_key}"


class Agenda(models.Model):
    """A browser's personal agenda: no account, identified by a random token kept in a cookie.

    Only a SHA-256 digest of the token is stored, so a database dump does not reveal live feed URLs.
    """

    MAX_STARS = 200

    token_digest = models.CharField(max_length=64, unique=True)
    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="agendas")
    created_at = models.DateTimeField(auto_now_add=True)
    # When its stars or its token last changed: with the programme version, the personal feed's validators.
    changed_at = models.DateTimeField(default=timezone.now)
    last_visited_at = models.DateTimeField(null=True, blank=True)
    sessions = models.ManyToManyField(Session, through="Star", related_name="agendas")

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")

    def __str__(self) -> str:
        return f"agenda {self.pk}"


class RetiredAgendaToken(models.Model):
    """A token replaced by a reset: its feed answers 410 Gone so calendar apps drop the subscription."""

    token_digest = models.CharField(max_length=64, unique=True)
    retired_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"retired token {self.pk}"


class Star(models.Model):
    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="stars")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="stars")
    created_at = models.DateTimeField(auto_now_add=True)
    # The session's revision when the owner last opened /agenda/: a higher one means "changed since".
    seen_revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("star")
        verbose_name_plural = _("stars")
        constraints = [models.UniqueConstraint(fields=["agenda", "session"], name="star_once_per_agenda")]

    def __str__(self) -> str:
        return f"{self.agenda_id} ★ {self.session_id}"
