from django.conf import settings
from django.urls import path

from . import views

app_name = "media"

# Files in the local folder are served by the app (an S3-compatible store serves its own).
urlpatterns = [
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", views.serve, name="file"),
]
