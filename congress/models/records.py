"""Bookkeeping rows: the programme version every cache key carries, and what the seeds last wrote."""

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
