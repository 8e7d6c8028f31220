"""The programme: tracks and sessions."""

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from congress.models.edition import Congress, Room


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
    # The title in each language (django-modeltranslation's columns): the English calendar shows title_en.
    REVISED_FIELDS = ("starts_at", "ends_at", "room_id", "title_fr", "title_en", "status")

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
