"""Loaded as a pytest plugin (`-p tests.environment`) before pytest-django reads the settings.

The settings refuse to start without a secret key unless debug is on, and tests run with debug off.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
# The suite plays the part of a deployment behind an HTTPS proxy: no redirect of the test client's plain
# HTTP requests (HSTS and secure cookies stay on, as in production).
os.environ.setdefault("DJANGO_SSL_REDIRECT", "0")
# Tests measure no latency: a loaded machine must not make a healthy Redis look failing (tests of the breaker
# set their own short timeouts).
os.environ.setdefault("REDIS_TIMEOUT_SECONDS", "1")
