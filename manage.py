#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")
    from congress.bootstrap import load_env_file

    load_env_file()  # .env, written by `python3.12 -m congress.bootstrap serve` for development
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018  (reads the settings: a problem is one line, not a traceback)
    except ImproperlyConfigured as error:
        sys.exit(f"Settings problem: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
