"""Read a site file with a streaming JSON parser (ijson), one row at a time."""

from collections.abc import Iterator, Mapping, Sequence
from typing import BinaryIO

import ijson

from .rows import FileError, Row

_OPENING = {"start_map", "start_array"}
_CLOSING = {"end_map", "end_array"}


def read_site(
    source: BinaryIO,
    sections: Sequence[str],
    *,
    format_name: str,
    version: int,
    added_in: Mapping[str, int] | None = None,
) -> Iterator[tuple[str, Iterator[Row]]]:
    """Yield (section, rows) in file order after checking the header; raise FileError if amiss.

    Each section's rows must be consumed before the next section is asked for. A section
    that `added_in` says a later format version brought may be missing from older files.
    """
    added_in = added_in or {}
    events = _events(source)
    header = {}
    seen = []
    if _next(events)[1] != "start_map":
        raise FileError("文件已损坏或不完整：应为 JSON 对象。")
    for prefix, event, key in events:
        if event == "end_map" and prefix == "":
            break
        if not header and key != "format":
            raise FileError(f"不是本站的导出文件：开头应为 format 字段，而不是 {key!r}。")
        if key not in sections:
            header[key] = _value(_next(events), events)
            _check_header(key, header[key], format_name=format_name, version=version)
            continue
        if "version" not in header:
            raise FileError("文件缺少 version 字段。")
        if key in seen or any(sections.index(key) < sections.index(s) for s in seen):
            raise FileError(f"{key} 出现的位置不对：各部分须按 {'、'.join(sections)} 的顺序。")
        seen.append(key)
        yield key, _rows(key, events)
    if _next(events, allow_end=True) is not None:
        raise FileError("文件已损坏或不完整：文档结束后还有多余的内容。")
    file_version = header.get("version", version)
    missing = [
        section
        for section in sections
        if section not in seen and added_in.get(section, 1) <= file_version
    ]
    if missing:
        raise FileError(f"文件缺少 {'、'.join(missing)} 部分，可能不完整。")


def _check_header(key, value, *, format_name, version):
    if key == "format" and value != format_name:
        raise FileError(f"不是本站的导出文件：format 为 {value!r}，应为 {format_name!r}。")
    if key == "version":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise FileError(f"version 无效：{value!r}。")
        if value > version:
            raise FileError(f"文件格式版本 {value} 比本程序能读的版本 {version} 新，请先升级本站。")


def _events(source):
    try:
        yield from ijson.parse(source)
    except ijson.JSONError as error:
        raise FileError(f"文件已损坏或不完整：{error}。") from error
    except UnicodeDecodeError as error:
        raise FileError(f"文件不是 UTF-8 文本：{error}。") from error


def _next(events, allow_end=False):
    event = next(events, None)
    if event is None and not allow_end:
        raise FileError("文件已损坏或不完整：文件提前结束。")
    return event


def _rows(section, events):
    if _next(events)[1] != "start_array":
        raise FileError(f"文件已损坏或不完整：{section} 应为数组。")
    number = 0
    while (first := _next(events))[1] != "end_array":
        number += 1
        yield Row(_value(first, events), f"{section} 第 {number} 项")


def _value(first, events):
    """Build the JSON value that starts with event `first`."""
    _prefix, event, value = first
    if event not in _OPENING:
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    while depth:
        _prefix, event, value = _next(events)
        builder.event(event, value)
        depth += (event in _OPENING) - (event in _CLOSING)
    return builder.value
