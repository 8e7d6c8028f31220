import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction

from congress.models import Agenda, RetiredAgendaToken


class Command(BaseCommand):
    help = (
        "Delete agendas left empty, or neither changed nor opened, for a while, and retired tokens whose 410 Gone "
        "answer has been kept long enough (their feed then answers 404). Run it daily."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--empty-days", type=float, default=1, help="age of an agenda without any star (default: 1 day)"
        )
        parser.add_argument(
            "--unvisited-days",
            type=float,
            default=400,
            help="days without a change or a visit to /agenda/ (default: 400, the agenda cookie's lifetime)",
        )
        parser.add_argument(
            "--retired-days",
            type=float,
            default=90,
            help="days a reset token's feed answers 410 Gone before it is forgotten (default: 90)",
        )
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")

    def handle(self, *args, empty_days: float, unvisited_days: float, retired_days: float, dry_run: bool, **options):
        agendas = Agenda.objects.forgotten(
            empty_for=dt.timedelta(days=empty_days), unvisited_for=dt.timedelta(days=unvisited_days)
        )
        tokens = RetiredAgendaToken.objects.expired(kept_for=dt.timedelta(days=retired_days))
        with transaction.atomic():
            agenda_ids = list(agendas.values_list("pk", flat=True))
            token_count = tokens.count()
            if not dry_run:
                Agenda.objects.filter(pk__in=agenda_ids).delete()
                tokens.delete()
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {len(agenda_ids)} agenda{'s' if len(agenda_ids) != 1 else ''} "
            f"and {token_count} retired token{'s' if token_count != 1 else ''}."
        )
