import secrets
import sys
from getpass import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

ORGANISERS = "Organisers"
PROMPT_ATTEMPTS = 3


def is_interactive() -> bool:
    return sys.stdin.isatty()


class Command(BaseCommand):
    help = (
        "Create a staff account in the Organisers group (it can edit the programme in /admin/, not users). "
        "The password is typed twice; with --generate, or without a terminal, a random one is generated and "
        "printed once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="E-mail address of the organiser.")
        parser.add_argument(
            "--generate", action="store_true", help="Generate a random password and print it once, instead of asking."
        )

    def handle(self, *args, username: str, email: str, generate: bool, **options) -> None:
        User = get_user_model()
        group = Group.objects.filter(name=ORGANISERS).first()
        if group is None:
            raise CommandError(f"The “{ORGANISERS}” group does not exist: run `python manage.py migrate` first.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named “{username}” exists already; choose another username.")
        user = User(username=username, email=email, is_staff=True)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            problems = " ".join(f"{name}: {' '.join(errors)}" for name, errors in exc.message_dict.items())
            raise CommandError(problems) from None

        generated = generate or not is_interactive()
        password = self.generated_password(user) if generated else self.typed_password(user)
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(group)

        self.stdout.write(self.style.SUCCESS(f"Organiser “{username}” created; sign in at /admin/."))
        if generated:
            self.stdout.write(f"Password (shown only this once, keep it somewhere safe): {password}")

    @staticmethod
    def generated_password(user) -> str:
        while True:  # a random 24-character password passes the validators at once in practice
            password = secrets.token_urlsafe(18)
            try:
                validate_password(password, user)
            except ValidationError:
                continue
            return password

    def typed_password(self, user) -> str:
        for _attempt in range(PROMPT_ATTEMPTS):
            try:
                password = getpass("Password: ")
                again = getpass("Password (again): ")
            except (EOFError, KeyboardInterrupt):
                raise CommandError("Cancelled; no account created.") from None
            if password != again:
                self.stderr.write("The two passwords differ; try again.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as exc:
                self.stderr.write("\n".join(exc.messages))
                continue
            return password
        raise CommandError("No acceptable password given; no account created.")
