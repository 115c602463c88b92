"""Benchmark the blog against the Django ceiling on this machine, in one run.

    python bench/run.py [--scale default|large] [--duration 10] [--connections 32]

1. fills a PostgreSQL database (bench/fill.py) with posts and comment threads;
2. serves the blog under gunicorn with the production settings and the project's
   gunicorn config, and beside it the smallest possible Django app (the ceiling);
3. loads each page with wrk for a fixed time at fixed concurrency;
4. prints requests/s, p50/p99 latency and the ratio to the ceiling for each page, the
   peak memory of a blog worker, and checks that the benchmarked post's reader count
   rose by exactly the number of successful (200) responses the server sent.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import psycopg

PROJECT_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_DIR / "bench"
PYTHON = sys.executable
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url):
    name = url.rsplit("/", 1)[1]
    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def query(url, sql, params=()):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def post_views(url, post_id):
    return query(url, "SELECT views FROM blog_post WHERE id = %s", [post_id])[0][0]


def post_daily_views(url, post_id):
    """The post's views summed over its day-by-day rows (blog_postdailyviews)."""
    return query(
        url, "SELECT COALESCE(SUM(views), 0) FROM blog_postdailyviews WHERE post_id = %s", [post_id]
    )[0][0]


class Gunicorn:
    def __init__(self, app, env, log_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", app],
            cwd=PROJECT_DIR,
            env={**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=5)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn ({app}) did not start; see {log_path}")

    def worker_pids(self):
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(pid) for pid in out.split()]

    def peak_worker_memory_mb(self):
        peaks = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return max(peaks) if peaks else float("nan")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def wrk(url, duration, connections):
    """Load one URL for `duration` seconds; return the figures wrk reports."""
    # Warm every worker's page cache (and its LISTEN connection) before measuring.
    for _ in range(20):
        urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": BROWSER_UA}))
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-H",
            f"User-Agent: {BROWSER_UA}",
            "-s",
            str(BENCH_DIR / "report.lua"),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    seconds = figures["duration_us"] / 1e6
    socket_errors = sum(
        figures[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return {
        "rps": figures["requests"] / seconds,
        "p50_ms": figures["p50_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "requests": figures["requests"],
        "failed": figures["status_errors"] + socket_errors,
    }


def count_ok_responses(log_path, start_offset, path):
    """Count 200 responses to `path` that gunicorn logged after `start_offset`."""
    with open(log_path) as log:
        log.seek(start_offset)
        pattern = re.compile(rf'"GET {re.escape(path)} HTTP/1\.[01]" 200 ')
        return sum(1 for line in log if pattern.search(line))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", choices=["default", "large"], default="default")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="PostgreSQL database to (re)create; default postgres://postgres@127.0.0.1:5432/bench_<scale>",
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument(
        "--write-docs", action="store_true", help="record the table in docs/performance.md"
    )
    args = parser.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    database_url = args.database_url or f"postgres://postgres@127.0.0.1:5432/bench_{args.scale}"
    data_dir = PROJECT_DIR / "data" / "bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    django_env = {"DATABASE_URL": database_url, "DATA_DIR": str(data_dir)}

    filled = False
    if args.reuse:
        try:
            filled = bool(query(database_url, "SELECT 1 FROM blog_post LIMIT 1"))
        except psycopg.Error:
            filled = False
    if not filled:
        print(f"== filling {database_url} ({args.scale})", flush=True)
        recreate_database(database_url)
        subprocess.run(
            [PYTHON, str(BENCH_DIR / "fill.py"), "--scale", args.scale],
            cwd=PROJECT_DIR,
            env={**os.environ, **django_env},
            check=True,
        )
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT_DIR,
        env={**os.environ, **django_env},
        check=True,
    )

    big_post, big_comments = query(
        database_url, "SELECT id, comment_count FROM blog_post ORDER BY comment_count DESC LIMIT 1"
    )[0]
    tag_slug = query(
        database_url,
        "SELECT t.slug FROM blog_tag t JOIN blog_post_tags pt ON pt.tag_id = t.id "
        "GROUP BY t.slug ORDER BY count(*) DESC LIMIT 1",
    )[0][0]
    search_word = "梯度"

    production_env = {
        **django_env,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback, no TLS proxy here
    }
    blog_log = data_dir / "blog-access.log"
    blog = Gunicorn("config.wsgi", production_env, blog_log)
    ceiling = Gunicorn(
        "bench.ceiling.app", {"PYTHONPATH": str(PROJECT_DIR)}, data_dir / "ceiling-access.log"
    )
    pages = [
        ("home", "/"),
        ("listing page 50", "/page/50/"),
        (f"post with {big_comments} comments (counted views)", f"/archives/{big_post}"),
        ("tag", f"/tag/{tag_slug}/"),
        ("search", f"/search/{quote(search_word)}/"),
        ("/content.html", "/content.html"),
        ("feed", "/feed/"),
    ]
    results = []
    try:
        print(f"== ceiling: {ceiling.url}/", flush=True)
        ceiling_runs = [wrk(ceiling.url + "/", args.duration, args.connections)]
        for name, path in pages:
            print(f"== {name}: {path}", flush=True)
            views_before = post_views(database_url, big_post)
            daily_before = post_daily_views(database_url, big_post)
            log_offset = blog_log.stat().st_size
            figures = wrk(blog.url + path, args.duration, args.connections)
            if path == f"/archives/{big_post}":
                time.sleep(1)  # let the workers finish the requests in flight when wrk stopped
                figures["views_added"] = post_views(database_url, big_post) - views_before
                figures["daily_added"] = post_daily_views(database_url, big_post) - daily_before
                figures["ok_responses"] = count_ok_responses(blog_log, log_offset, path)
            results.append((name, path, figures))
        ceiling_runs.append(wrk(ceiling.url + "/", args.duration, args.connections))
        memory_mb = blog.peak_worker_memory_mb()
    finally:
        blog.stop()
        ceiling.stop()

    ceiling_rps = sum(run["rps"] for run in ceiling_runs) / len(ceiling_runs)
    table = render_table(args, ceiling_runs, ceiling_rps, results, memory_mb)
    print()
    print(table)
    post_figures = next(f for _, _, f in results if "views_added" in f)
    exact = (
        post_figures["views_added"] == post_figures["ok_responses"] == post_figures["daily_added"]
    )
    if args.write_docs:
        write_docs(args.scale, table)
    if not exact:
        raise SystemExit("reader count check FAILED")


def render_table(args, ceiling_runs, ceiling_rps, results, memory_mb):
    lines = [
        f"Scale `{args.scale}`, {args.duration} s per page, {args.connections} connections, "
        f"wrk -t2, gunicorn with config/gunicorn.conf.py, production settings, PostgreSQL.",
        "",
        "| page | requests/s | p50 ms | p99 ms | vs ceiling | failed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for index, run in enumerate(ceiling_runs):
        label = "ceiling (minimal Django view)" + (" — start" if index == 0 else " — end")
        lines.append(
            f"| {label} | {run['rps']:.0f} | {run['p50_ms']:.1f} | {run['p99_ms']:.1f} | "
            f"{run['rps'] / ceiling_rps:.0%} | {run['failed']} |"
        )
    for name, path, figures in results:
        lines.append(
            f"| {name} `{path}` | {figures['rps']:.0f} | {figures['p50_ms']:.1f} | "
            f"{figures['p99_ms']:.1f} | {figures['rps'] / ceiling_rps:.0%} | {figures['failed']} |"
        )
    post = next(f for _, _, f in results if "views_added" in f)
    exact = post["views_added"] == post["ok_responses"] == post["daily_added"]
    verdict = "exact" if exact else "MISMATCH"
    lines += [
        "",
        f"Peak memory of a blog worker (VmHWM): {memory_mb:.0f} MB.",
        f"Reader count: the post gained {post['views_added']} views "
        f"(its day-by-day rows {post['daily_added']}) for "
        f"{post['ok_responses']} responses with status 200 that gunicorn sent "
        f"(wrk completed {post['requests']}) — {verdict}.",
    ]
    return "\n".join(lines)


def write_docs(scale, table):
    path = PROJECT_DIR / "docs" / "performance.md"
    text = path.read_text() if path.exists() else "# Performance\n"
    begin, end = f"<!-- bench:{scale}:begin -->", f"<!-- bench:{scale}:end -->"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    command = "python bench/run.py" + ("" if scale == "default" else f" --scale {scale}")
    block = f"{begin}\nRun on {stamp} with `{command}`:\n\n{table}\n{end}"
    if begin in text:
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + f"\n\n## Scale: {scale}\n\n{block}\n"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)


if __name__ == "__main__":
    main()
