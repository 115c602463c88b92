"""Read the backup file Typecho's admin writes (备份, a `.dat`) into a Typecho database of its own.

The file: a 21-byte header `%TYPECHO_BACKUP_0001%` (older ones say `FILE` where `0001` is),
then one record per table row, then the header again. A record is a little-endian type
(1 contents, 2 comments, 3 metas, 4 relationships, 5 users, 6 fields) and the lengths of
a JSON schema and a body (2, 2 and 4 bytes; `FILE` files give only 2 and 2 and leave the
body's length to the schema), the schema (column name → byte length, null for NULL), the
body (the values one after another), and the MD5 of all that as 32 hex digits.

Rows are checked and copied into a temporary SQLite file with Typecho's table layout, one
at a time, so the import reads a backup exactly as it reads a database. A backup holds
only Typecho's core columns: no options (so no site address or time zone) and no column a
theme added, such as `views`.
"""

import hashlib
import json
import sqlite3
import struct
import tempfile
from pathlib import Path

from .sources import SourceError

HEADER = b"%TYPECHO_BACKUP_"
HEADER_LENGTH = 21
TABLES = {
    1: (
        "contents",
        "cid title slug created modified text order authorId template type status password "
        "commentsNum allowComment allowPing allowFeed parent",
    ),
    2: (
        "comments",
        "coid cid created author authorId ownerId mail url ip agent text type status parent",
    ),
    3: ("metas", "mid name slug type description count order parent"),
    4: ("relationships", "cid mid"),
    5: ("users", "uid name password mail url screenName created activated logged group authCode"),
    6: ("fields", "cid name type str_value int_value float_value"),
}
INTEGER_COLUMNS = {
    "cid",
    "coid",
    "mid",
    "uid",
    "created",
    "modified",
    "order",
    "authorId",
    "ownerId",
    "commentsNum",
    "parent",
    "count",
    "activated",
    "logged",
    "int_value",
}
NOTE = (
    "Typecho 的备份文件只含核心字段：没有站点设置（网址、时区按本站设置处理），"
    "也没有主题加的 views 列，阅读次数无法导入；能直接读数据库时请改用数据库。"
)


def is_backup(path):
    with open(path, "rb") as file:
        return file.read(len(HEADER)) == HEADER


class BackupDatabase:
    """A Typecho backup copied into a temporary SQLite database, deleted on close()."""

    def __init__(self, path, prefix):
        self.path = Path(path)
        self.directory = tempfile.TemporaryDirectory(prefix="typecho-backup-")
        self.connection = sqlite3.connect(Path(self.directory.name) / "typecho.sqlite3")
        self.prefix = prefix
        self.counts = {}
        try:
            self._create_tables()
            self._copy_rows()
            self.connection.commit()
        except BaseException:
            self.close()
            raise

    def close(self):
        self.connection.close()
        self.directory.cleanup()

    def _create_tables(self):
        for table, columns in TABLES.values():
            definition = ", ".join(
                f'"{column}" {"INTEGER" if column in INTEGER_COLUMNS else "TEXT"}'
                for column in columns.split()
            )
            self.connection.execute(f'CREATE TABLE "{self.prefix}{table}" ({definition})')
        self.connection.execute(
            f'CREATE INDEX "{self.prefix}comments_cid" ON "{self.prefix}comments" ("cid")'
        )

    def _copy_rows(self):
        size = self.path.stat().st_size
        with open(self.path, "rb") as file:
            header = file.read(HEADER_LENGTH)
            if len(header) < HEADER_LENGTH or not header.startswith(HEADER) or size < 42:
                raise SourceError(f"{self.path.name} 不是 Typecho 的备份文件（文件头不对）。")
            version = header[len(HEADER) : -1]
            file.seek(size - HEADER_LENGTH)
            if file.read(HEADER_LENGTH) != header:
                raise SourceError(
                    f"{self.path.name} 不完整：文件末尾没有 Typecho 备份的结束标记，"
                    "可能下载或上传时被截断了。"
                )
            file.seek(HEADER_LENGTH)
            number = 0
            while file.tell() < size - HEADER_LENGTH:
                number += 1
                offset = file.tell()
                table, row = self._record(file, version, number, offset)
                if table is None:
                    continue  # a plugin's own record
                self._insert(table, row)
                self.counts[table] = self.counts.get(table, 0) + 1

    def _record(self, file, version, number, offset):
        where = f"{self.path.name} 第 {number} 条记录（第 {offset} 字节处）"
        short = version == b"FILE"
        meta = file.read(6 if short else 8)
        try:
            if short:
                kind, header_length, body_length = struct.unpack("<HHH", meta)
            else:
                kind, header_length, body_length = struct.unpack("<HHI", meta)
            header = file.read(header_length)
            schema = json.loads(header)
            if not isinstance(schema, dict):
                raise ValueError("schema is not an object")
            if short:
                body_length = sum(length or 0 for length in schema.values())
        except (struct.error, ValueError, UnicodeDecodeError) as error:
            raise SourceError(f"{where}：结构损坏（{error}），文件可能不完整。") from error
        body = file.read(body_length)
        checksum = file.read(32)
        if len(body) != body_length or hashlib.md5(meta + header + body).hexdigest().encode() != (
            checksum
        ):
            raise SourceError(f"{where}：校验和不符，文件已损坏或不完整。")
        if kind not in TABLES:
            return None, None
        row, position = {}, 0
        for column, length in schema.items():
            if length is None:
                row[column] = None
                continue
            row[column] = body[position : position + length].decode("utf-8", errors="replace")
            position += length
        return TABLES[kind][0], row

    def _insert(self, table, row):
        columns = [column for column in TABLES_BY_NAME[table] if column in row]
        values = [
            _integer(row[column]) if column in INTEGER_COLUMNS else row[column]
            for column in columns
        ]
        names = ", ".join(f'"{column}"' for column in columns)
        marks = ", ".join("?" for _ in columns)
        self.connection.execute(
            f'INSERT INTO "{self.prefix}{table}" ({names}) VALUES ({marks})', values
        )


TABLES_BY_NAME = {table: columns.split() for table, columns in TABLES.values()}


def _integer(value):
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return 0
