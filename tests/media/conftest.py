import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores its files in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def stored_names(media_root):
    """The files under the media folder, relative to it."""

    def names():
        if not media_root.exists():
            return set()
        return {str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file()}

    return names
