from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from congress.seeding import DEFAULT_DIRECTORY, SeedError, display_path, load_seeds


class Command(BaseCommand):
    help = (
        "Load the seed files (YAML) of seeds/ or --path: the congress editions, venue, organisations, speakers "
        "and sessions. Safe to run again: values an organiser changed in the admin are kept, and rows an "
        "organiser deleted are not recreated (rules in congress/seeding.py). A malformed file changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--path", type=Path, default=DEFAULT_DIRECTORY, help="Directory of seed files (default: seeds/)."
        )

    def handle(self, *args, path: Path, **options) -> None:
        try:
            summary = load_seeds(path)
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Seeds from {display_path(path)}: {summary}.")
