from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Compile every .po file under LOCALE_PATHS into its .mo file. Pure Python (polib), so it needs no "
        "GNU gettext on the machine, unlike compilemessages."
    )

    def handle(self, *args, **options) -> None:
        compiled = 0
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                compiled += 1
                name = po_path.relative_to(settings.BASE_DIR)
                self.stdout.write(f"{name}: {catalogue.percent_translated()}% translated")
        self.stdout.write(self.style.SUCCESS(f"{compiled} catalogue(s) compiled."))
