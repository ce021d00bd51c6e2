"""WSGI entry point (gunicorn factory.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factory.settings")
application = get_wsgi_application()
