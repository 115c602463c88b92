"""Store old addresses of imported content as redirects, in batches, never off-site or in loops."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import parse_qsl, urlsplit

from .models import (
    Redirect,
    is_local_target,
    normalize_old,
    path_candidates,
    query_candidates,
    target_problem,
)

BATCH_SIZE = 500


@dataclass
class RedirectCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (old address, why)


def add_redirects(pairs: Iterable[tuple[str, str]], *, note: str, counts: RedirectCounts) -> None:
    """Make each old address redirect to its new path; an address already stored is updated."""
    iterator = iter(pairs)
    while batch := list(islice(iterator, BATCH_SIZE)):
        _add_batch(batch, note, counts)


def _add_batch(batch, note, counts):
    wanted = {}
    for old, new in batch:
        old_path = normalize_old(old)
        if not old_path or old_path in path_candidates(new):
            continue  # the content still lives at its old address
        if not is_local_target(new):
            counts.refused.append((old, str(target_problem(old_path, new))))
            continue
        wanted[old_path] = new
    if not wanted:
        return
    existing = {
        redirect.old_path: redirect
        for redirect in Redirect.objects.filter(old_path__in=list(wanted))
    }
    chained = _targets_that_redirect(wanted.values())
    created, updated = [], []
    for old_path, new in wanted.items():
        if new in chained:
            # Rare: the target is itself an old address. Check the whole chain for a loop.
            current = existing.get(old_path)
            problem = target_problem(old_path, new, exclude_pk=current.pk if current else None)
            if problem:
                counts.refused.append((old_path, str(problem)))
                continue
        redirect = existing.get(old_path)
        if redirect is None:
            created.append(Redirect(old_path=old_path, new_path=new, note=note[:200]))
        elif redirect.new_path != new:
            redirect.new_path = new
            updated.append(redirect)
        else:
            counts.unchanged += 1
    Redirect.objects.bulk_create(created)
    Redirect.objects.bulk_update(updated, ["new_path"])
    counts.created += len(created)
    counts.updated += len(updated)


def _targets_that_redirect(targets):
    """The targets (and old addresses) that are themselves stored as old addresses."""
    candidates = {}
    for target in targets:
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query))
        for candidate in query_candidates(parts.path, query) + path_candidates(parts.path):
            candidates[candidate] = target
    stored = Redirect.objects.filter(old_path__in=list(candidates)).values_list(
        "old_path", flat=True
    )
    return {candidates[path] for path in stored}
