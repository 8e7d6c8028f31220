from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from congress.imports.planning import Outcome
from congress.imports.readers import MAX_FILE_BYTES, ScheduleFileError, read_schedule
from congress.imports.writing import ImportRefused, import_schedule
from congress.models import Congress

SHOWN_ERRORS = 30


class Command(BaseCommand):
    help = (
        "Import a frab schedule.xml or a C3VOC/frab schedule.json (pretalx, frab, our own feeds) into an "
        "edition: rooms, tracks, sessions and their speakers. Safe to run again: sessions are matched by guid, "
        "then slug; fields an organiser changed since the last import are kept (README, “Importing a "
        "programme”). A faulty file changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="schedule.xml or schedule.json")
        parser.add_argument("--edition", required=True, help="slug of the congress edition to import into")
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="cancel the published sessions an earlier import brought in that the file no longer has "
            "(drafts are deleted)",
        )

    @no_translations  # a command's report, in English like load_seeds'
    def handle(self, *args, file: Path, edition: str, dry_run: bool, prune: bool, **options) -> None:
        congress = Congress.objects.select_related("venue").filter(slug=edition).first()
        if congress is None:
            raise CommandError(f"No edition has the slug “{edition}”.")
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(
                    f"{file.name}: the file is larger than {MAX_FILE_BYTES // 2**20} MB, the import limit"
                )
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from None
        try:
            plan = import_schedule(read_schedule(file.name, content), congress, prune=prune, dry_run=dry_run)
        except ScheduleFileError as exc:
            raise CommandError(str(exc)) from None
        except ImportRefused as exc:
            errors = exc.plan.errors
            shown = "\n".join(errors[:SHOWN_ERRORS])
            more = f"\n… and {len(errors) - SHOWN_ERRORS} more" if len(errors) > SHOWN_ERRORS else ""
            raise CommandError(f"{len(errors)} error(s), nothing was imported:\n{shown}{more}") from None
        self.report(plan, dry_run=dry_run, verbosity=options["verbosity"])

    def report(self, plan, *, dry_run: bool, verbosity: int) -> None:
        write = self.stdout.write
        congress = plan.congress
        dry = " — dry run, nothing written" if dry_run else ""
        write(f"{plan.schedule.file} → {congress.slug} ({congress.time_zone}){dry}")
        write(plan.summary())
        if plan.new_rooms or plan.new_tracks:
            write(f"New rooms: {len(plan.new_rooms)}, new tracks: {len(plan.new_tracks)}.")
        for note in plan.notes:
            write(note)
        for line in plan.lines:
            if line.outcome == Outcome.UPDATED or (verbosity > 1 and line.outcome != Outcome.UNCHANGED):
                detail = f" ({', '.join(line.changes)})" if line.changes else ""
                write(f"  {line.where} “{line.title}”: {line.outcome}{detail}")
            if line.kept and verbosity > 0 and line.outcome != Outcome.SKIPPED:
                write(f"  {line.where} “{line.title}”: kept as edited by an organiser: {', '.join(line.kept)}")
            if line.outcome == Outcome.SKIPPED:
                write(f"  {line.where} “{line.title}”: deleted by an organiser, not recreated")
        if plan.missing:
            action = "cancelled (drafts deleted)" if plan.prune else "kept (--prune cancels them)"
            write(f"Missing from the file, {action}: {len(plan.missing)}")
            for session in plan.missing:
                write(f"  {session.slug} “{session.title}” ({session.get_status_display()})")
