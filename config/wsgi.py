"""WSGI entry point for gunicorn: stored pages first (core/wsgi.py), then Django."""

import os

from django.core.wsgi import get_wsgi_application

from core.wsgi import SharedPageApplication

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = SharedPageApplication(get_wsgi_application())
