"""Instructions per request, counted by callgrind: a figure the machine's load does not move.

    python bench/instructions.py [--requests 500] [--only home,post]

bench/run.py's ratios move by ten points between runs on a shared machine, so a change of a
few per cent in what a request costs cannot be seen there. This counts the CPU instructions
the blog's Python executes per request instead, the same on every run of the same code: the
WSGI application is called directly, in one process, with the production settings and the
benchmark's database (fill it first with `python bench/run.py`), each time as a new reader
(no cookies, Chrome's User-Agent and Accept-Encoding), as wrk's requests are. gunicorn, the
kernel and the database's own work are not in it (bench/run.py measures those).

Each page is served twice under valgrind: `--requests` times and not at all, after the same
set-up and warm-up; the difference divided by `--requests` is the count per request. Set
BLOG_VIEWS_FLUSH_SECONDS=0 as for bench/run.py to count every view in the database. Takes
about a minute per run on the benchmark machine; needs valgrind (`apt-get install valgrind`).
"""

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

PROJECT_DIR = Path(__file__).resolve().parent.parent
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
WARM_UP_REQUESTS = 50
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/bench_default"


def production_env(database_url):
    return {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(PROJECT_DIR / "data" / "bench"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        # Fixed, so every run hashes and signs alike; never used outside this process.
        "SECRET_KEY": "instruction-count-" * 4,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        # Python's hashing and allocator made repeatable and visible to valgrind.
        "PYTHONHASHSEED": "0",
        "PYTHONMALLOC": "malloc",
    }


def serve(path, requests):
    """In the child: set up Django, warm up, then serve `path` `requests` times."""
    sys.path.insert(0, str(PROJECT_DIR))
    from config.wsgi import application  # what gunicorn serves

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": BROWSER_UA,
        "HTTP_ACCEPT_ENCODING": BROWSER_ACCEPT_ENCODING,
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }

    def start_response(status, headers, exc_info=None):
        if not status.startswith("200"):
            raise SystemExit(f"{path} answered {status}")

    for _ in range(WARM_UP_REQUESTS + requests):
        response = application({**environ, "wsgi.input": io.BytesIO()}, start_response)
        b"".join(response)
        if hasattr(response, "close"):  # as a WSGI server does
            response.close()


def count_instructions(path, requests, env):
    """Instructions valgrind counted for a whole child run (set-up and warm-up included)."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        path,
        str(requests),
    ]
    result = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    counted = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or counted is None:
        raise SystemExit(f"valgrind run failed:\n{result.stderr[-2000:]}")
    return int(counted.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--only", default="home,post", help="pages: home, post")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        serve(args.child[0], int(args.child[1]))
        return

    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    database_url = args.database_url or DEFAULT_DATABASE
    with psycopg.connect(database_url) as connection:
        big_post = connection.execute(
            "SELECT id FROM blog_post ORDER BY comment_count DESC LIMIT 1"
        ).fetchone()
    if big_post is None:
        raise SystemExit(f"{database_url} holds no posts: run `python bench/run.py` first")
    paths = {"home": "/", "post": f"/archives/{big_post[0]}"}
    env = production_env(database_url)
    flush = os.environ.get("BLOG_VIEWS_FLUSH_SECONDS") or "1"  # the site's default
    counting = f"tallied every {flush} s" if float(flush) > 0 else "every view counted"
    print(f"Instructions per request (callgrind), {args.requests} requests, {counting}:")
    for name in args.only.split(","):
        path = paths[name]
        served = count_instructions(path, args.requests, env)
        baseline = count_instructions(path, 0, env)
        per_request = (served - baseline) / args.requests
        print(f"  {name:5} {path:18} {per_request:12,.0f}", flush=True)


if __name__ == "__main__":
    main()
