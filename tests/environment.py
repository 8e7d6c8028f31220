"""Loaded as a pytest plugin (`-p tests.environment`) before pytest-django reads the settings.

The settings refuse to start without a secret key unless debug is on, and tests run with debug off.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
