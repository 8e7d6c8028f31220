"""Visitors' personal agendas: the agenda (a token digest), its stars, and the tokens a reset retired."""

import datetime as dt

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congress.models.programme import Session


class AgendaQuerySet(models.QuerySet):
    def set_star(self, agenda: "Agenda | None", session: Session, wanted: bool, *, new_digest: str = "") -> tuple:
        """Star or unstar `session`, creating the agenda (token digest `new_digest`) only for a first star.

        Returns (agenda, full): `full` when the star was refused because the agenda holds MAX_STARS already.
        The count is checked with the agenda row locked (SELECT … FOR UPDATE; on SQLite the write transaction
        is IMMEDIATE), so concurrent stars on one agenda are counted one after another.
        """
        with transaction.atomic():
            if agenda is None:
                if not wanted:
                    return None, False
                agenda = self.create(token_digest=new_digest)
            elif not self.select_for_update().filter(pk=agenda.pk).exists():
                return agenda, False  # purged meanwhile: nothing to change
            if wanted:
                if agenda.stars.count() >= Agenda.MAX_STARS:
                    return agenda, True
                Star.objects.get_or_create(agenda=agenda, session=session, defaults={"seen_revision": session.revision})
            else:
                agenda.stars.filter(session=session).delete()
            self.filter(pk=agenda.pk).update(changed_at=timezone.now())
        return agenda, False

    def forgotten(self, *, empty_for: dt.timedelta, unvisited_for: dt.timedelta) -> "AgendaQuerySet":
        """Agendas without a star and unchanged for `empty_for`, and any agenda neither changed nor opened
        for `unvisited_for` (its cookie has expired in the browser by then; a calendar subscription may
        still poll its feed, which then answers 404)."""
        now = timezone.now()
        empty = Q(stars__isnull=True, changed_at__lt=now - empty_for)
        idle = Q(changed_at__lt=now - unvisited_for) & (
            Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=now - unvisited_for)
        )
        return self.filter(empty | idle).distinct()


class Agenda(models.Model):
    """A browser's personal agenda: no account, identified by a random token kept in a cookie.

    Only a SHA-256 digest of the token is stored, so a database dump does not reveal live feed URLs.
    """

    MAX_STARS = 200

    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When its stars or its token last changed: with the programme version, the personal feed's validators.
    changed_at = models.DateTimeField(default=timezone.now)
    last_visited_at = models.DateTimeField(null=True, blank=True)
    sessions = models.ManyToManyField(Session, through="Star", related_name="agendas")

    objects = AgendaQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")

    def __str__(self) -> str:
        return f"agenda {self.pk}"


class RetiredAgendaTokenQuerySet(models.QuerySet):
    def expired(self, *, kept_for: dt.timedelta) -> "RetiredAgendaTokenQuerySet":
        return self.filter(retired_at__lt=timezone.now() - kept_for)


class RetiredAgendaToken(models.Model):
    """A token replaced by a reset: its feed answers 410 Gone so calendar apps drop the subscription, until
    `purge_agendas` removes it (after 90 days by default: then 404)."""

    token_digest = models.CharField(max_length=64, unique=True)
    retired_at = models.DateTimeField(auto_now_add=True)

    objects = RetiredAgendaTokenQuerySet.as_manager()

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
