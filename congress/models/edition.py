"""The edition and where it takes place: Congress, Venue, Room."""

import datetime as dt
import zoneinfo
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not an IANA time zone such as Europe/Paris."), params={"value": value})


# First path segments the site already uses: an edition prefix may not take one of them.
RESERVED_PREFIXES = frozenset(
    {
        "admin",
        "agenda",
        "calendar",
        "calendar.ics",
        "editions",
        "en",
        "fr",
        "healthz",
        "i18n",
        "manifest.webmanifest",
        "media",
        "now",
        "offline",
        "partners",
        "robots.txt",
        "schedule",
        "schedule.json",
        "schedule.xml",
        "sessions",
        "sitemap.xml",
        "speakers",
        "static",
        "sw.js",
        "venue",
    }
)
PREFIX_PATTERN = r"[a-z0-9][a-z0-9-]{0,39}"


def validate_prefix(value: str) -> None:
    if value in RESERVED_PREFIXES:
        message = _("“%(value)s” is already an address of the site; choose another.")
        raise ValidationError(message, params={"value": value})


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

    def published(self) -> "CongressQuerySet":
        return self.filter(is_published=True, prefix__isnull=False)


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
    prefix = models.CharField(
        _("address prefix"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        validators=[
            RegexValidator(rf"^{PREFIX_PATTERN}$", _("Lowercase letters, digits and hyphens only.")),
            validate_prefix,
        ],
        help_text=_("The edition's permanent addresses start with it, e.g. 2025 for /2025/schedule/."),
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Visible to the public under its prefix; organisers see an unpublished edition meanwhile."),
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

    def clean(self) -> None:
        super().clean()
        if self.is_published and not self.prefix:
            raise ValidationError({"prefix": _("A published edition needs an address prefix.")})

    def state(self, moment: dt.datetime | None = None) -> str:
        """ "upcoming", "ongoing" or "past", from the date `moment` (now) has in the congress's zone."""
        today = self.local(moment or timezone.now()).date()
        if today < self.start_date:
            return "upcoming"
        return "ongoing" if today <= self.end_date else "past"

    def make_current(self) -> None:
        """Mark this edition as the one the site shows, unmarking the previous one, in one transaction."""
        with transaction.atomic():
            Congress.objects.filter(is_current=True).exclude(pk=self.pk).update(is_current=False)
            self.is_current = True
            self.save(update_fields=["is_current"])
