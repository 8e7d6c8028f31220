import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")

try:
    application = get_wsgi_application()
except ImproperlyConfigured as error:
    print(f"Settings problem: {error}", file=sys.stderr, flush=True)
    sys.exit(3)  # gunicorn's "worker failed to boot": the server stops instead of restarting workers forever
