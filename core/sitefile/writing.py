"""Write a site file: the header, then each section's rows as they are produced."""

import json
from collections.abc import Callable, Iterable, Mapping
from typing import TextIO


def write_site(
    out: TextIO,
    header: Mapping[str, object],
    sections: Mapping[str, Callable[[], Iterable[dict]]],
) -> dict[str, int]:
    """Write one JSON document to `out`; return how many rows each section had."""
    counts = {}
    out.write("{\n")
    for key, value in header.items():
        out.write(f"{_dumps(key)}: {_dumps(value)},\n")
    for index, (name, rows) in enumerate(sections.items()):
        out.write(f"{_dumps(name)}: [")
        written = 0
        for row in rows():
            out.write(",\n" if written else "\n")
            out.write(_dumps(row))
            written += 1
        counts[name] = written
        out.write("\n]" + (",\n" if index < len(sections) - 1 else "\n"))
    out.write("}\n")
    return counts


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
