"""The ceiling: the smallest Django app, one view returning a short fixed response.

Served by gunicorn with the blog's own gunicorn config, it measures how fast any
Django page can possibly be on this machine; the benchmark reports the blog's pages
as a fraction of it.
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="ceiling-benchmark-only-not-a-secret",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    USE_TZ=True,
)


def fixed(request):
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path("", fixed)]

application = get_wsgi_application()
