"""A small Typecho site built the way Typecho stores one: its tables, and its backup file format."""

import hashlib
import json
import sqlite3
import struct
from datetime import UTC, datetime

# Typecho's own table layout (install/SQLite.sql), plus `views`, which many themes add.
SCHEMA = """
CREATE TABLE {p}comments ("coid" INTEGER NOT NULL PRIMARY KEY, "cid" int(10) default '0',
  "created" int(10) default '0', "author" varchar(200) default NULL,
  "authorId" int(10) default '0', "ownerId" int(10) default '0', "mail" varchar(200) default NULL,
  "url" varchar(200) default NULL, "ip" varchar(64) default NULL, "agent" varchar(200) default NULL,
  "text" text, "type" varchar(16) default 'comment', "status" varchar(16) default 'approved',
  "parent" int(10) default '0');
CREATE INDEX {p}comments_cid ON {p}comments ("cid");
CREATE TABLE {p}contents ("cid" INTEGER NOT NULL PRIMARY KEY, "title" varchar(200) default NULL,
  "slug" varchar(200) default NULL, "created" int(10) default '0', "modified" int(10) default '0',
  "text" text, "order" int(10) default '0', "authorId" int(10) default '0',
  "template" varchar(32) default NULL, "type" varchar(16) default 'post',
  "status" varchar(16) default 'publish', "password" varchar(32) default NULL,
  "commentsNum" int(10) default '0', "allowComment" char(1) default '0',
  "allowPing" char(1) default '0', "allowFeed" char(1) default '0', "parent" int(10) default '0',
  "views" int(10) default '0');
CREATE UNIQUE INDEX {p}contents_slug ON {p}contents ("slug");
CREATE TABLE {p}fields ("cid" INTEGER NOT NULL, "name" varchar(200) NOT NULL,
  "type" varchar(8) default 'str', "str_value" text, "int_value" int(10) default '0',
  "float_value" real default '0');
CREATE TABLE {p}metas ("mid" INTEGER NOT NULL PRIMARY KEY, "name" varchar(200) default NULL,
  "slug" varchar(200) default NULL, "type" varchar(32) NOT NULL,
  "description" varchar(200) default NULL, "count" int(10) default '0',
  "order" int(10) default '0', "parent" int(10) default '0');
CREATE TABLE {p}options ("name" varchar(32) NOT NULL, "user" int(10) NOT NULL default '0',
  "value" text);
CREATE TABLE {p}relationships ("cid" int(10) NOT NULL, "mid" int(10) NOT NULL);
CREATE TABLE {p}users ("uid" INTEGER NOT NULL PRIMARY KEY, "name" varchar(32) default NULL,
  "password" varchar(64) default NULL, "mail" varchar(200) default NULL,
  "url" varchar(200) default NULL, "screenName" varchar(32) default NULL,
  "created" int(10) default '0', "activated" int(10) default '0', "logged" int(10) default '0',
  "group" varchar(16) default 'visitor', "authCode" varchar(64) default NULL);
"""


def when(*args):
    return int(datetime(*args, tzinfo=UTC).timestamp())


MARKDOWN_POST = """<!--markdown-->梯度下降沿负梯度方向走一步：$x_{t+1} = x_t - \\eta \\nabla f(x_t)$。

<!--more-->

\\begin{equation}f(x) \\approx f(x_t) + \\langle \\nabla f(x_t), x - x_t \\rangle \\label{eq:taylor}\\end{equation}

由$\\eqref{eq:taylor}$可得下降方向。"""

HTML_POST = """这是一篇 HTML 写的旧文章，公式 $E = mc^2$。
第二行。

<blockquote>引用一段话</blockquote>

$$\\int_0^\\infty e^{-x^2} dx = \\frac{\\sqrt{\\pi}}{2}$$"""

ROWS = {
    "users": [
        {
            "uid": 1,
            "name": "su",
            "mail": "su@old.example.org",
            "screenName": "苏剑林",
            "group": "administrator",
        },
        {
            "uid": 2,
            "name": "guest",
            "mail": "guest@example.com",
            "screenName": "访客",
            "group": "subscriber",
        },
    ],
    "metas": [
        {"mid": 1, "name": "默认分类", "slug": "default", "type": "category", "order": 1},
        {"mid": 2, "name": "数学研究", "slug": "Mathematics", "type": "category", "order": 2},
        {"mid": 3, "name": "优化", "slug": "优化", "type": "tag"},
        {"mid": 4, "name": "积分", "slug": "integral", "type": "tag"},
    ],
    "contents": [
        {
            "cid": 7,
            "title": "梯度下降",
            "slug": "gradient-descent",
            "created": when(2019, 3, 5, 4),
            "modified": when(2019, 3, 6),
            "text": MARKDOWN_POST,
            "authorId": 1,
            "type": "post",
            "status": "publish",
            "allowComment": "1",
            "views": 4321,
        },
        {
            "cid": 12,
            "title": "高斯积分",
            "slug": "gaussian",
            "created": when(2018, 1, 2, 3),
            "modified": when(2018, 1, 2, 3),
            "text": HTML_POST,
            "authorId": 1,
            "type": "post",
            "status": "publish",
            "allowComment": "0",
            "views": 99,
        },
        {
            "cid": 13,
            "title": "还没写完的草稿",
            "slug": "@13",
            "created": when(2020, 1, 1),
            "modified": when(2020, 1, 1),
            "text": "<!--markdown-->草稿",
            "authorId": 1,
            "type": "post_draft",
            "status": "publish",
            "allowComment": "1",
        },
        {
            "cid": 14,
            "title": "梯度下降（修订）",
            "slug": "@14",
            "created": when(2020, 1, 1),
            "modified": when(2020, 1, 1),
            "text": "<!--markdown-->修订",
            "authorId": 1,
            "type": "post_draft",
            "status": "publish",
            "parent": 7,
        },
        {
            "cid": 15,
            "title": "隐藏的文章",
            "slug": "hidden",
            "created": when(2020, 2, 1),
            "modified": when(2020, 2, 1),
            "text": "<!--markdown-->x",
            "authorId": 1,
            "type": "post",
            "status": "hidden",
        },
        {
            "cid": 2,
            "title": "留言板",
            "slug": "guestbook",
            "created": when(2017, 1, 1),
            "modified": when(2017, 1, 1),
            "text": "<!--markdown-->留言",
            "authorId": 1,
            "type": "page",
            "status": "publish",
            "allowComment": "1",
        },
        {
            "cid": 20,
            "title": "plot.png",
            "slug": "plot-png",
            "created": when(2019, 3, 5),
            "modified": when(2019, 3, 5),
            "authorId": 1,
            "type": "attachment",
            "status": "publish",
            "parent": 7,
            "text": 'a:5:{s:4:"name";s:8:"plot.png";s:4:"path";s:35:"/usr/uploads/2019/03/1234567890.png";'
            's:4:"size";i:100;s:4:"type";s:3:"png";s:4:"mime";s:9:"image/png";}',
        },
    ],
    "relationships": [
        {"cid": 7, "mid": 2},
        {"cid": 7, "mid": 3},
        {"cid": 12, "mid": 1},
        {"cid": 12, "mid": 4},
        {"cid": 15, "mid": 1},
        {"cid": 13, "mid": 1},
    ],
    "comments": [
        {
            "coid": 1,
            "cid": 7,
            "created": when(2019, 3, 6),
            "author": "读者甲",
            "mail": "a@example.com",
            "url": "https://a.example.com",
            "ip": "198.51.100.1",
            "agent": "Mozilla/5.0",
            "text": "请问 $\\eta$ 怎么选？",
            "authorId": 0,
            "ownerId": 1,
            "status": "approved",
            "parent": 0,
        },
        {
            "coid": 2,
            "cid": 7,
            "created": when(2019, 3, 7),
            "author": "苏剑林",
            "mail": "su@old.example.org",
            "url": "",
            "ip": "198.51.100.2",
            "agent": "Mozilla/5.0",
            "text": "可以线搜索。",
            "authorId": 1,
            "ownerId": 1,
            "status": "approved",
            "parent": 1,
        },
        {
            "coid": 3,
            "cid": 7,
            "created": when(2019, 3, 8),
            "author": "读者乙",
            "mail": "b@example.com",
            "url": "",
            "ip": "198.51.100.3",
            "agent": "Mozilla/5.0",
            "text": "明白了，谢谢！",
            "authorId": 0,
            "ownerId": 1,
            "status": "approved",
            "parent": 2,
        },
        {
            "coid": 4,
            "cid": 7,
            "created": when(2019, 3, 9),
            "author": "等待者",
            "mail": "w@example.com",
            "url": "",
            "ip": "198.51.100.4",
            "agent": "",
            "text": "待审核",
            "authorId": 0,
            "ownerId": 1,
            "status": "waiting",
            "parent": 0,
        },
        {
            "coid": 5,
            "cid": 7,
            "created": when(2019, 3, 10),
            "author": "spam",
            "mail": "s@example.com",
            "url": "http://spam.example",
            "ip": "198.51.100.5",
            "agent": "",
            "text": "buy now",
            "authorId": 0,
            "ownerId": 1,
            "status": "spam",
            "parent": 0,
        },
        {
            "coid": 6,
            "cid": 2,
            "created": when(2017, 2, 1),
            "author": "留言者",
            "mail": "g@example.com",
            "url": "",
            "ip": "198.51.100.6",
            "agent": "",
            "text": "到此一游",
            "authorId": 0,
            "ownerId": 1,
            "status": "approved",
            "parent": 0,
        },
        {
            "coid": 7,
            "cid": 12,
            "created": when(2018, 1, 3),
            "author": "Blog",
            "mail": "",
            "url": "https://blog.example",
            "ip": "198.51.100.7",
            "agent": "",
            "text": "trackback",
            "authorId": 0,
            "ownerId": 1,
            "status": "approved",
            "parent": 0,
            "type": "trackback",
        },
    ],
    "options": [
        {"name": "siteUrl", "user": 0, "value": "https://kexue.example"},
        {"name": "timezone", "user": 0, "value": "28800"},
    ],
}


def build_sqlite(path, *, prefix="typecho_", rows=ROWS, views_column=True):
    """Write a Typecho SQLite database holding `rows`; return its path."""
    connection = sqlite3.connect(path)
    schema = SCHEMA if views_column else SCHEMA.replace(",\n  \"views\" int(10) default '0'", "")
    connection.executescript(schema.format(p=prefix))
    for table, table_rows in rows.items():
        for row in table_rows:
            names = ", ".join(f'"{name}"' for name in row)
            marks = ", ".join("?" for _ in row)
            connection.execute(
                f'INSERT INTO "{prefix}{table}" ({names}) VALUES ({marks})', list(row.values())
            )
    connection.commit()
    connection.close()
    return path


BACKUP_TYPES = {"contents": 1, "comments": 2, "metas": 3, "relationships": 4, "users": 5}
BACKUP_COLUMNS = {
    "contents": [
        "cid",
        "title",
        "slug",
        "created",
        "modified",
        "text",
        "order",
        "authorId",
        "template",
        "type",
        "status",
        "password",
        "commentsNum",
        "allowComment",
        "allowPing",
        "allowFeed",
        "parent",
    ],
    "comments": [
        "coid",
        "cid",
        "created",
        "author",
        "authorId",
        "ownerId",
        "mail",
        "url",
        "ip",
        "agent",
        "text",
        "type",
        "status",
        "parent",
    ],
    "metas": ["mid", "name", "slug", "type", "description", "count", "order", "parent"],
    "relationships": ["cid", "mid"],
    "users": [
        "uid",
        "name",
        "password",
        "mail",
        "url",
        "screenName",
        "created",
        "activated",
        "logged",
        "group",
        "authCode",
    ],
}


def backup_record(kind, row):
    """One record as Typecho's backup writer frames it (type, lengths, schema, body, MD5)."""
    schema, body = {}, b""
    for name, value in row.items():
        if value is None:
            schema[name] = None
            continue
        data = str(value).encode()
        schema[name] = len(data)
        body += data
    header = json.dumps(schema).encode()
    record = struct.pack("<HHI", kind, len(header), len(body)) + header + body
    return record + hashlib.md5(record).hexdigest().encode()


def write_backup(path, rows=ROWS):
    """Write `rows` as the .dat file Typecho's admin 备份 produces (core columns only)."""
    mark = b"%TYPECHO_BACKUP_0001%"
    with open(path, "wb") as out:
        out.write(mark)
        for table, kind in BACKUP_TYPES.items():
            for row in rows.get(table, []):
                full = {name: row.get(name) for name in BACKUP_COLUMNS[table]}
                out.write(backup_record(kind, full))
        out.write(mark)
    return path
