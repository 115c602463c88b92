"""The redirects section of the site file (core/sitefile): old_path, new_path, note."""

from collections.abc import Iterable, Iterator
from itertools import islice

from core.sitefile import Loading, Row

from .models import Redirect, is_local_target, normalize_old

CHUNK_SIZE = 2000


def export_redirects() -> Iterator[dict]:
    rows = Redirect.objects.order_by("pk").values("old_path", "new_path", "note")
    yield from rows.iterator(CHUNK_SIZE)


def load_redirects(rows: Iterable[Row], loading: Loading) -> None:
    """Insert the file's redirects; each must point inside the site, and none twice."""
    seen = set()
    iterator = iter(rows)
    while batch := list(islice(iterator, CHUNK_SIZE)):
        redirects = []
        for row in batch:
            old_path = normalize_old(row.text("old_path"))
            new_path = row.text("new_path")
            if not old_path or old_path in seen:
                raise row.error(f"旧地址 {row.text('old_path')!r} 为空或重复")
            if not is_local_target(new_path):
                raise row.error(f"新地址 {new_path!r} 不是本站路径")
            seen.add(old_path)
            redirects.append(
                Redirect(old_path=old_path, new_path=new_path, note=row.text("note", "")[:200])
            )
        Redirect.objects.bulk_create(redirects)
    loading.counts["redirects"] = len(seen)
