"""One row of a site file, whose accessors check each field; what loading has gathered so far."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_datetime


class FileError(Exception):
    """The file cannot be imported (or the site cannot take it); the message says why."""


# Marks an accessor's field as one the row must have.
_REQUIRED = object()


@dataclass
class Loading:
    """What the sections loaded so far brought: ids by section, and counts for the summary.

    `ids[section]` maps a row's name in the file (a username, a slug, an exported id) to
    the id of the row it became here, so later sections can refer to it.
    """

    ids: defaultdict[str, dict] = field(default_factory=lambda: defaultdict(dict))
    counts: Counter = field(default_factory=Counter)


class Row:
    """One item of a section, whose accessors raise FileError naming the item and field."""

    def __init__(self, data, label):
        if isinstance(data, dict) and "id" in data:
            label = f"{label}（id {data['id']!r}）"
        self.label = label
        if not isinstance(data, dict):
            raise self.error("不是 JSON 对象")
        self.data = data

    def error(self, message):
        return FileError(f"{self.label}：{message}。")

    def _get(self, key, default, kind, nullable=False):
        if key not in self.data:
            if default is _REQUIRED:
                raise self.error(f"缺少字段 {key}")
            return default
        value = self.data[key]
        if value is None and nullable:
            return None
        # JSON true is a Python int, but it is neither an id nor a count.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.error(f"字段 {key} 的值 {value!r} 类型不对")
        return value

    def text(self, key, default=_REQUIRED, nullable=False):
        return self._get(key, default, str, nullable)

    def flag(self, key, default=False):
        return self._get(key, default, bool)

    def integer(self, key, default=_REQUIRED, nullable=False, minimum=1):
        value = self._get(key, default, int, nullable)
        if value is not None and value < minimum:
            raise self.error(f"字段 {key} 的值 {value!r} 应不小于 {minimum}")
        return value

    def list(self, key):
        values = self._get(key, [], list)
        if not all(isinstance(value, str) for value in values):
            raise self.error(f"字段 {key} 应为字符串列表")
        return values

    def choice(self, key, choices, default=_REQUIRED):
        value = self.text(key, default)
        if value not in choices:
            raise self.error(f"字段 {key} 的值 {value!r} 不是 {'、'.join(choices)} 之一")
        return value

    def moment(self, key, default=_REQUIRED):
        if key not in self.data and default is not _REQUIRED:
            return default
        value = self.text(key)
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None or timezone.is_naive(moment):
            raise self.error(f"字段 {key} 的值 {value!r} 不是带时区的 ISO 8601 时间")
        return moment

    def ref(self, key, known, section, optional=False):
        """Return the id of the row that this item names in `key` (a username or slug)."""
        name = self._get(key, None if optional else _REQUIRED, str, nullable=optional)
        return None if name is None else self.ref_value(name, known, section)

    def ref_value(self, name, known, section):
        if name not in known:
            raise self.error(f"{name!r} 不在文件的 {section} 里")
        return known[name]
