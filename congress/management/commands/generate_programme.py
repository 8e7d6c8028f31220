from django.core.management.base import BaseCommand, CommandError

from congress.models import Congress
from congress.programme import DAYS, fictitious_slug, generate_programme
from congress.seeding import database_has_seeds


class Command(BaseCommand):
    help = (
        f"Fill the database with a clearly fictitious congress edition of N published sessions over {DAYS} days "
        "(slug programme-fictif-N), with rooms, tracks, speakers and organisations, and mark it current. "
        "The same N always gives the same programme. Refuses a database that holds the seeded congress unless "
        "--force is given (the fictitious edition then becomes the current one). Refuses when a programme of "
        "the same N exists already: delete that congress in the admin first, or choose another N."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sessions", type=int, required=True, metavar="N", help="Number of sessions (1 or more).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database holds the seeded congress (the fictitious one becomes current).",
        )

    def handle(self, *args, sessions: int, force: bool, **options) -> None:
        if sessions < 1:
            raise CommandError("--sessions must be 1 or more.")
        if database_has_seeds() and not force:
            raise CommandError(
                "This database holds the seeded Congrès France Bioproduction: a fictitious programme would mix "
                "with the real one and become the current edition. Use an empty database (DATABASE_URL), or "
                "add --force if that is really what you want."
            )
        slug = fictitious_slug(sessions)
        if Congress.objects.filter(slug=slug).exists():
            raise CommandError(
                f"A fictitious programme of {sessions} sessions exists already (congress “{slug}”). "
                "Delete it in the admin first, or choose another number of sessions."
            )
        congress = generate_programme(sessions)
        self.stdout.write(
            f"Created “{congress.name}” ({congress.slug}): {sessions} published sessions, "
            f"{congress.start_date.isoformat()} to {congress.end_date.isoformat()}; it is now the current edition."
        )
