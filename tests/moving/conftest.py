import io
from pathlib import Path

import pytest
from django.core.management import call_command

from . import wxr

THEME_TEST_DATA = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "themeunittestdata.wordpress.xml"
)
if not THEME_TEST_DATA.exists():  # the worktree sits one level deeper than a clone
    THEME_TEST_DATA = Path("/work/shared/data/themeunittestdata.wordpress.xml")


def run(command, *args):
    """Run a management command; return what it printed."""
    out = io.StringIO()
    call_command(command, *[str(arg) for arg in args], stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files an import copies go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def export_file(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(wxr.site(), encoding="utf-8")
    return path


@pytest.fixture
def theme_test_data():
    if not THEME_TEST_DATA.exists():
        pytest.skip(f"WordPress theme unit test data not found at {THEME_TEST_DATA}")
    return THEME_TEST_DATA
