"""Organisations and their part in an edition (organiser, partner and tier)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congress.models.edition import Congress


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
