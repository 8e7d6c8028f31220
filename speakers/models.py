from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from congress.models import Organisation, Session


class SpeakerQuerySet(models.QuerySet):
    def with_public_sessions(self, congress) -> "SpeakerQuerySet":
        """Speakers with at least one published or cancelled session in `congress` (drafts never count)."""
        return self.filter(session_links__session__in=congress.sessions.public()).distinct()

    def alphabetical(self) -> "SpeakerQuerySet":
        return self.order_by("sort_name", "name")


class Speaker(models.Model):
    name = models.CharField(_("name"), max_length=200)
    sort_name = models.CharField(
        _("sort name"),
        max_length=200,
        blank=True,
        help_text=_("How the name is sorted, family name first (filled in from the name when left empty)."),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    job_title = models.CharField(_("job title"), max_length=250, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speakers",
        verbose_name=_("organisation"),
    )
    biography = models.TextField(_("biography"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="speakers/", blank=True)
    sessions = models.ManyToManyField(
        Session, through="SessionSpeaker", related_name="speakers", verbose_name=_("sessions")
    )

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["sort_name", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.sort_name:
            self.sort_name = self.default_sort_name(self.name)
        super().save(*args, **kwargs)

    @staticmethod
    def default_sort_name(name: str) -> str:
        *given, family = name.split() or [""]
        return " ".join([family, *given]).strip()

    def get_absolute_url(self) -> str:
        return reverse("speakers:speaker-detail", kwargs={"slug": self.slug})

    @property
    def initials(self) -> str:
        return "".join(word[0] for word in self.name.split()[:2] if word[:1].isalpha()).upper()

    @property
    def affiliation(self) -> str:
        return ", ".join(part for part in (self.job_title, self.organisation.name if self.organisation else "") if part)


class SessionSpeaker(models.Model):
    class Role(models.TextChoices):
        SPEAKER = "speaker", _("Speaker")
        MODERATOR = "moderator", _("Moderator")
        CHAIR = "chair", _("Chair")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="speaker_links", verbose_name=_("session")
    )
    speaker = models.ForeignKey(
        Speaker, on_delete=models.CASCADE, related_name="session_links", verbose_name=_("speaker")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SPEAKER)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("session speaker")
        verbose_name_plural = _("session speakers")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "speaker"], name="speaker_once_per_session")]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.get_role_display()})"
