"""System checks (`manage.py check`) for the blog's settings."""

import os
from pathlib import Path

from django.conf import settings
from django.core.checks import Warning, register


@register()
def view_log_directory_writable(app_configs, **kwargs):
    """Tallied views need a directory for their log files (blog/view_log.py)."""
    if settings.BLOG_VIEWS_FLUSH_SECONDS <= 0:
        return []
    directory = Path(settings.BLOG_VIEWS_LOG_DIR)
    nearest = next((path for path in (directory, *directory.parents) if path.exists()), None)
    if nearest is not None and nearest.is_dir() and os.access(nearest, os.W_OK | os.X_OK):
        return []
    return [
        Warning(
            f"BLOG_VIEWS_LOG_DIR ({directory}) cannot be created or written.",
            hint="Reader counts are then tallied in memory only, and a worker killed outright "
            "loses its last views. Point BLOG_VIEWS_LOG_DIR at a directory the workers can "
            "write, or set BLOG_VIEWS_FLUSH_SECONDS=0 to write every view as it happens.",
            id="blog.W001",
        )
    ]
