"""Benchmark the blog against the Django ceiling on this machine, in one run.

    python bench/run.py [--scale default|large] [--duration 10] [--connections 32]
                        [--repeat 3] [--only home,post] [--accept-encoding '']

1. fills a PostgreSQL database (bench/fill.py) with posts and comment threads;
2. serves the blog under gunicorn with the production settings and the project's
   gunicorn config, and beside it the smallest possible Django app (the ceiling);
3. loads each page with wrk for a fixed time at fixed concurrency, sending what a browser
   sends (a Chrome User-Agent and Chrome's Accept-Encoding, so compressed pages are
   measured as browsers get them);
4. prints requests/s, p50/p99 latency, bytes per response and the ratio to the ceiling for
   each page, the peak memory of a blog worker, and checks that the benchmarked post's
   reader count rose by exactly the number of successful (200) responses the server sent.

With --repeat N the whole round (ceiling, every page, ceiling again) runs N times and each
row shows the medians, with the spread of the page's ratio to the ceiling over the rounds:
the machine is shared, and one round can be off by a third.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
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
# What Chromium 156 sends, over HTTPS and to http://127.0.0.1 alike: the blog answers zstd
# (--accept-encoding 'gzip, deflate' measures gzip, as Safari gets it).
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
PAGE_KEYS = ["home", "page50", "post", "tag", "search", "content", "feed"]


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


def flush_seconds():
    """How often the blog's workers write their tallied reader counts (0: every view).

    The site's default is 1 (config/settings/base.py); BLOG_VIEWS_FLUSH_SECONDS=0 measures
    counting every view as it happens."""
    return float(os.environ.get("BLOG_VIEWS_FLUSH_SECONDS") or 1)


def post_views(url, post_id):
    return query(url, "SELECT views FROM blog_post WHERE id = %s", [post_id])[0][0]


def post_daily_views(url, post_id):
    """The post's views summed over its day-by-day rows (blog_postdailyviews)."""
    return query(
        url, "SELECT COALESCE(SUM(views), 0) FROM blog_postdailyviews WHERE post_id = %s", [post_id]
    )[0][0]


def process_cpu_seconds(pids):
    """CPU time (user and system) the processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


class DatabaseBackends:
    """The PostgreSQL server processes serving the benchmark database (same machine)."""

    def __init__(self, url):
        self.url = url

    def workers_cpu_seconds(self):
        name = self.url.rsplit("/", 1)[1]
        rows = query(
            self.url,
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        return process_cpu_seconds(pid for (pid,) in rows)


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

    def workers_cpu_seconds(self):
        """CPU time (user and system) the workers have used so far."""
        return process_cpu_seconds(self.worker_pids())

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


def wrk(url, duration, connections, accept_encoding, server=None, database=None):
    """Load one URL for `duration` seconds; return the figures wrk reports.

    With `server` (and `database`), also the CPU its workers (and the database's server
    processes) spent per request: unlike requests/s, it moves little when other jobs share
    the machine.
    """
    headers = {"User-Agent": BROWSER_UA}
    if accept_encoding:
        headers["Accept-Encoding"] = accept_encoding
    # Warm every worker's page cache (and its LISTEN connection) before measuring.
    for _ in range(20):
        urllib.request.urlopen(urllib.request.Request(url, headers=headers)).read()
    cpu_before = server.workers_cpu_seconds() if server else 0.0
    db_cpu_before = database.workers_cpu_seconds() if database else 0.0
    header_args = []
    for name, value in headers.items():
        header_args += ["-H", f"{name}: {value}"]
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            *header_args,
            "-s",
            str(BENCH_DIR / "report.lua"),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    )
    cpu_seconds = server.workers_cpu_seconds() - cpu_before if server else 0.0
    db_cpu_seconds = database.workers_cpu_seconds() - db_cpu_before if database else 0.0
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
        "kb_per_response": figures["bytes"] / max(figures["requests"], 1) / 1024,
        "cpu_us": cpu_seconds * 1e6 / max(figures["requests"], 1),
        "db_cpu_us": db_cpu_seconds * 1e6 / max(figures["requests"], 1),
        "failed": figures["status_errors"] + socket_errors,
    }


def median_figures(runs):
    """One row from several runs of the same page: medians, failures and requests summed."""
    row = {
        key: statistics.median(run[key] for run in runs)
        for key in ("rps", "p50_ms", "p99_ms", "kb_per_response", "cpu_us", "db_cpu_us")
    }
    row["failed"] = sum(run["failed"] for run in runs)
    row["requests"] = sum(run["requests"] for run in runs)
    return row


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
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds to run; each row shows the medians"
    )
    parser.add_argument(
        "--only",
        type=lambda text: [key.strip() for key in text.split(",") if key.strip()],
        default=PAGE_KEYS,
        help=f"pages to load, comma separated, of: {','.join(PAGE_KEYS)}",
    )
    parser.add_argument(
        "--accept-encoding",
        default=BROWSER_ACCEPT_ENCODING,
        help="Accept-Encoding to send ('' for none: uncompressed pages)",
    )
    args = parser.parse_args()
    unknown = set(args.only) - set(PAGE_KEYS)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")

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
        ("home", "home", "/"),
        ("page50", "listing page 50", "/page/50/"),
        ("post", f"post with {big_comments} comments (counted views)", f"/archives/{big_post}"),
        ("tag", "tag", f"/tag/{tag_slug}/"),
        ("search", "search", f"/search/{quote(search_word)}/"),
        ("content", "/content.html", "/content.html"),
        ("feed", "feed", "/feed/"),
    ]
    pages = [(name, path) for key, name, path in pages if key in args.only]
    post_path = f"/archives/{big_post}"
    ceiling_runs = {"start": [], "end": []}
    page_runs = {path: [] for _, path in pages}
    counts = {"views_added": 0, "daily_added": 0, "ok_responses": 0, "requests": 0}
    load = (args.duration, args.connections, args.accept_encoding)
    database = DatabaseBackends(database_url)
    try:
        for round_number in range(1, args.repeat + 1):
            print(f"== round {round_number}/{args.repeat}", flush=True)
            print(f"== ceiling: {ceiling.url}/", flush=True)
            ceiling_runs["start"].append(wrk(ceiling.url + "/", *load, ceiling))
            for name, path in pages:
                print(f"== {name}: {path}", flush=True)
                views_before = post_views(database_url, big_post)
                daily_before = post_daily_views(database_url, big_post)
                log_offset = blog_log.stat().st_size
                figures = wrk(blog.url + path, *load, blog, database)
                if path == post_path:
                    # Let the workers finish the requests in flight when wrk stopped, and
                    # write their tallies if they keep them (BLOG_VIEWS_FLUSH_SECONDS).
                    time.sleep(1 + 2 * flush_seconds())
                    counts["views_added"] += post_views(database_url, big_post) - views_before
                    counts["daily_added"] += post_daily_views(database_url, big_post) - daily_before
                    counts["ok_responses"] += count_ok_responses(blog_log, log_offset, path)
                    counts["requests"] += figures["requests"]
                page_runs[path].append(figures)
            ceiling_runs["end"].append(wrk(ceiling.url + "/", *load, ceiling))
        memory_mb = blog.peak_worker_memory_mb()
    finally:
        blog.stop()
        ceiling.stop()

    all_ceiling = ceiling_runs["start"] + ceiling_runs["end"]
    ceiling_rps = statistics.median(run["rps"] for run in all_ceiling)
    # Each round's page against that round's own ceiling, to show the spread.
    round_ceilings = [
        (start["rps"] + end["rps"]) / 2
        for start, end in zip(ceiling_runs["start"], ceiling_runs["end"], strict=True)
    ]
    rows = [(name, path, median_figures(page_runs[path]), page_runs[path]) for name, path in pages]
    table = render_table(args, ceiling_runs, ceiling_rps, round_ceilings, rows, memory_mb, counts)
    print()
    print(table)
    checked = any(path == post_path for _, path in pages)
    exact = counts["views_added"] == counts["ok_responses"] == counts["daily_added"]
    if args.write_docs:
        write_docs(args.scale, table, args)
    if checked and not exact:
        raise SystemExit("reader count check FAILED")


def counting_mode():
    if flush_seconds() > 0:
        return f"reader counts tallied and written every {flush_seconds():g} s"
    if os.environ.get("BLOG_VIEWS_ASYNC_COMMIT", "").lower() in ("1", "true", "yes", "on"):
        return "every view counted as it happens, without waiting for the disk"
    return "every view counted as it happens"


def render_table(args, ceiling_runs, ceiling_rps, round_ceilings, rows, memory_mb, counts):
    encoding = args.accept_encoding or "none"
    rounds = f"median of {args.repeat} rounds" if args.repeat > 1 else "one round"
    lines = [
        f"Scale `{args.scale}`, {args.duration} s per page, {args.connections} connections, "
        f"wrk -t2, Accept-Encoding: {encoding}, {rounds}, gunicorn with "
        f"config/gunicorn.conf.py, production settings, PostgreSQL, {counting_mode()}.",
        "",
        "| page | requests/s | p50 ms | p99 ms | KB each | vs ceiling | spread "
        "| app CPU µs/req | db CPU µs/req | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, runs in (("start", ceiling_runs["start"]), ("end", ceiling_runs["end"])):
        row = median_figures(runs)
        lines.append(
            f"| ceiling (minimal Django view) — {label} | {row['rps']:.0f} | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['kb_per_response']:.1f} | "
            f"{row['rps'] / ceiling_rps:.0%} | | {row['cpu_us']:.0f} | | {row['failed']} |"
        )
    for name, path, row, runs in rows:
        ratios = [run["rps"] / ceiling for run, ceiling in zip(runs, round_ceilings, strict=True)]
        spread = f"{min(ratios):.0%}–{max(ratios):.0%}" if len(ratios) > 1 else ""
        lines.append(
            f"| {name} `{path}` | {row['rps']:.0f} | {row['p50_ms']:.1f} | "
            f"{row['p99_ms']:.1f} | {row['kb_per_response']:.1f} | "
            f"{row['rps'] / ceiling_rps:.0%} | {spread} | {row['cpu_us']:.0f} | "
            f"{row['db_cpu_us']:.0f} | {row['failed']} |"
        )
    lines += ["", f"Peak memory of a blog worker (VmHWM): {memory_mb:.0f} MB."]
    if counts["requests"]:
        exact = counts["views_added"] == counts["ok_responses"] == counts["daily_added"]
        verdict = "exact" if exact else "MISMATCH"
        lines.append(
            f"Reader count: the post gained {counts['views_added']} views "
            f"(its day-by-day rows {counts['daily_added']}) for "
            f"{counts['ok_responses']} responses with status 200 that gunicorn sent "
            f"(wrk completed {counts['requests']}) — {verdict}."
        )
    return "\n".join(lines)


def write_docs(scale, table, args):
    path = PROJECT_DIR / "docs" / "performance.md"
    text = path.read_text() if path.exists() else "# Performance\n"
    begin, end = f"<!-- bench:{scale}:begin -->", f"<!-- bench:{scale}:end -->"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    command = "python bench/run.py" + ("" if scale == "default" else f" --scale {scale}")
    if args.repeat > 1:
        command += f" --repeat {args.repeat}"
    block = f"{begin}\nRun on {stamp} with `{command}`:\n\n{table}\n{end}"
    if begin in text:
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + f"\n\n## Scale: {scale}\n\n{block}\n"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)


if __name__ == "__main__":
    main()
