"""Measure import_wordpress and import_typecho at scale: time and peak memory of the process.

    python bench/import_scale.py [--posts 2000] [--comments 100000] [--post-kb 50]
                                 [--database-url postgres://...] [--pictures N]

Writes a WordPress export (about 200 MB at the defaults) and a Typecho SQLite database with
the same content to a temporary folder, imports each into a fresh database (SQLite in a
temporary DATA_DIR unless --database-url names a PostgreSQL server, whose database is
dropped and created again), and prints wall time and the peak resident memory that
`/usr/bin/time -v` reports for the command. With --pictures N, the WordPress run also gets
an uploads folder of N photos (2000×1500 JPEG, about 1 MB each), each post's body showing
one of them by its 300×200 variant, imported with --uploads-dir.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.moving import typecho_site, wxr  # noqa: E402

PARAGRAPH = (
    "设函数 $f(x)$ 在区间 $[a,b]$ 上连续，则由积分中值定理，存在 $\\xi \\in [a,b]$ 使得"
    "$$\\int_a^b f(x)\\,dx = f(\\xi)(b-a)$$这一结论在估计误差时十分有用，"
    "下面我们用它来推导梯度下降的步长条件，并讨论 <strong>收敛速度</strong>。"
)


def post_body(kilobytes, rng):
    paragraphs = []
    size = 0
    while size < kilobytes * 1024:
        text = PARAGRAPH.replace("f(x)", f"f_{{{rng.randint(1, 99)}}}(x)")
        paragraphs.append(text)
        size += len(text.encode())
    return "\n\n".join(paragraphs)


def comments_for(post_index, count, rng):
    comments = []
    for number in range(count):
        cid = post_index * 1000 + number + 1
        parent = rng.choice([0, 0, 0] + [c[0] for c in comments[-5:]]) if comments else 0
        body = "这一步的推导 $x^2$ 我看懂了，不过后面的不等式为什么成立？" * rng.randint(3, 8)
        date = f"2020-{1 + number % 12:02d}-{1 + number % 28:02d} 08:{number % 60:02d}:00"
        comments.append((cid, parent, f"读者{cid}", f"r{cid}@example.com", "1", "", 0, date, body))
    return comments


def write_uploads(folder, pictures):
    from PIL import Image

    month = folder / "2020" / "01"
    month.mkdir(parents=True)
    for number in range(pictures):
        # Noise, so each photo is of a camera's size and none is another's duplicate.
        photo = Image.effect_noise((2000, 1500), 40 + number % 50).convert("RGB")
        photo.save(month / f"photo{number}.jpg", quality=90)


def picture_of(index, pictures):
    if not pictures:
        return ""
    name = f"photo{index % pictures}-300x200.jpg"
    return f'\n\n<img src="https://old.example.org/wp-content/uploads/2020/01/{name}">'


def write_export(path, posts, comments, post_kb, pictures=0):
    rng = random.Random(1)
    per_post = comments // posts
    with open(path, "w", encoding="utf-8") as out:
        head, tail = wxr.export("@@ITEMS@@").split("@@ITEMS@@")
        out.write(head)
        for index in range(posts):
            out.write(
                wxr.item(
                    index + 1,
                    f"第 {index + 1} 篇文章",
                    post_body(post_kb, rng) + picture_of(index, pictures),
                    slug=f"post-{index + 1}",
                    date=f"20{10 + index % 14}-{1 + index % 12:02d}-15 12:00:00",
                    comments=comments_for(index, per_post, rng),
                    metas=(("views", str(rng.randint(0, 10000))),),
                )
            )
        out.write(tail)


def write_typecho(path, posts, comments, post_kb):
    rng = random.Random(2)
    per_post = comments // posts
    rows = {key: list(value) for key, value in typecho_site.ROWS.items()}
    rows["contents"], rows["comments"], rows["relationships"] = [], [], []
    coid = 0
    for index in range(posts):
        cid = index + 1
        rows["contents"].append(
            {
                "cid": cid,
                "title": f"第 {cid} 篇",
                "slug": f"p{cid}",
                "created": 1500000000 + cid,
                "modified": 1500000000 + cid,
                "text": "<!--markdown-->" + post_body(post_kb, rng),
                "authorId": 1,
                "type": "post",
                "status": "publish",
                "allowComment": "1",
                "views": cid,
            }
        )
        rows["relationships"].append({"cid": cid, "mid": 2})
        first = coid + 1
        for _ in range(per_post):
            coid += 1
            parent = rng.choice([0, 0, coid - 1]) if coid > first else 0
            rows["comments"].append(
                {
                    "coid": coid,
                    "cid": cid,
                    "created": 1500000000 + coid,
                    "author": f"读者{coid}",
                    "mail": f"r{coid}@example.com",
                    "text": "这一步的推导 $x^2$ 我看懂了，不过后面的不等式为什么成立？"
                    * rng.randint(3, 8),
                    "status": "approved",
                    "parent": parent,
                    "ownerId": 1,
                }
            )
    typecho_site.build_sqlite(path, rows=rows)


def measure(command, env):
    started = time.monotonic()
    result = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "manage.py", *command, "-v0"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    cpu = sum(
        float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", result.stderr).group(1))
        for kind in ("User", "System")
    )
    return elapsed, cpu, peak / 1024, result.stdout


def fresh_database(env, database_url):
    if database_url:
        import psycopg

        name = database_url.rsplit("/", 1)[1]
        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = database_url
    else:
        env["DATA_DIR"] = tempfile.mkdtemp(prefix="import-bench-")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=PROJECT, env=env, check=True
    )


def read_only(arguments):
    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        export = Path(folder) / "export.xml"
        write_export(export, arguments.posts, arguments.comments, arguments.post_kb)
        script = (
            "import django; django.setup();"
            "from moving.importing.wordpress import WordPressExport;"
            f"source = WordPressExport({str(export)!r});"
            "items = sum(1 for item in source.items());"
            "print(items)"
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DATA_DIR": folder}
        started = time.monotonic()
        result = subprocess.run(
            ["/usr/bin/time", "-v", sys.executable, "-c", script],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)[1])
        print(
            f"read {export.stat().st_size / 2**20:.0f} MB ({result.stdout.strip()} items) "
            f"in {time.monotonic() - started:.0f} s, peak memory {peak / 1024:.0f} MB"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--post-kb", type=int, default=50)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--only", choices=["wordpress", "typecho"], help="run one importer")
    parser.add_argument(
        "--pictures", type=int, default=0, help="photos to copy from an uploads folder"
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="only stream the WordPress export through the reader (memory of reading alone)",
    )
    arguments = parser.parse_args()
    if arguments.read_only:
        return read_only(arguments)
    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        export = Path(folder) / "export.xml"
        typecho = Path(folder) / "typecho.db"
        runs = []
        if arguments.only != "typecho":
            write_export(
                export, arguments.posts, arguments.comments, arguments.post_kb, arguments.pictures
            )
            print(f"WordPress export: {export.stat().st_size / 2**20:.0f} MB")
            command = ["import_wordpress", str(export)]
            if arguments.pictures:
                uploads = Path(folder) / "uploads"
                write_uploads(uploads, arguments.pictures)
                size = sum(p.stat().st_size for p in uploads.rglob("*.jpg"))
                print(f"uploads: {arguments.pictures} photos, {size / 2**20:.0f} MB")
                command += ["--uploads-dir", str(uploads)]
            runs.append(("import_wordpress", command))
        if arguments.only != "wordpress":
            write_typecho(typecho, arguments.posts, arguments.comments, arguments.post_kb)
            print(f"Typecho database: {typecho.stat().st_size / 2**20:.0f} MB")
            runs.append(("import_typecho", ["import_typecho", str(typecho)]))
        print(f"{arguments.posts} posts, {arguments.comments} comments")
        for name, command in runs:
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
            fresh_database(env, arguments.database_url)
            elapsed, cpu, peak, output = measure(command, env)
            load = os.getloadavg()[0]
            print(
                f"{name}: {elapsed:.0f} s wall ({cpu:.0f} s of CPU; load average {load:.1f}), "
                f"peak memory {peak:.0f} MB"
            )
            print("\n".join("  " + line for line in output.splitlines()[1:]))


if __name__ == "__main__":
    main()
