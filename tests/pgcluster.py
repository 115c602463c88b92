"""Private, throwaway PostgreSQL clusters for operations tests (replicas, restarts).

Each cluster lives in a temporary directory owned by the `postgres` OS user (the server
refuses to run as root), listens only on 127.0.0.1 at a port picked free at runtime, and
trusts local connections, replication included. Nothing here touches a system cluster.
"""

import copy
import glob
import http.cookiejar
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

import psycopg

OS_USER = "postgres"
COMMAND_TIMEOUT = 60  # seconds for any one initdb / pg_ctl / pg_basebackup run

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "wal_level": "replica",
    "max_wal_senders": "5",
    "hot_standby": "on",
    # Speed without risking what the tests check: a killed server (not a crashed machine)
    # loses nothing with fsync off, since the OS still holds the data. synchronous_commit
    # stays on: a commit must be in the WAL before the client hears of it.
    "fsync": "off",
    "max_connections": "50",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
    "log_connections": "off",
}


def server_bin_dir():
    """The newest PostgreSQL server binaries on this machine, or None."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    return Path(candidates[-1]).parent if candidates else None


def unavailable_reason():
    """Why private clusters cannot run here (None when they can)."""
    if server_bin_dir() is None:
        return "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb)"
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        return f"no `{OS_USER}` OS user to run a private PostgreSQL cluster as"
    if os.geteuid() != 0:
        return "running private clusters as `postgres` needs root (runuser)"
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_private_dir(prefix="pgcluster-"):
    """A fresh temporary directory owned by `postgres`, mode 0700."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.chown(path, user=OS_USER, group=OS_USER)
    path.chmod(0o700)
    return path


def run_as_postgres(*args, timeout=COMMAND_TIMEOUT):
    """Run a PostgreSQL binary as the `postgres` user; raise with its output on failure."""
    command = ["runuser", "-u", OS_USER, "--", *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited with {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return result


def wait_until(check, *, timeout, interval=0.1, message="condition"):
    """Call `check()` until it returns a true value (returned); fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = check()
            if value:
                return value
        except (psycopg.Error, OSError) as error:
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise TimeoutError(f"{message} did not hold within {timeout} s{detail}")
        time.sleep(interval)


class PrivateCluster:
    """One PostgreSQL cluster in `datadir`, listening on 127.0.0.1:`port`."""

    def __init__(self, port, datadir, *, socket_dir=None):
        self.port = port
        self.datadir = Path(datadir)
        self.socket_dir = Path(socket_dir or self.datadir.parent)
        self.logfile = self.datadir.parent / f"{self.datadir.name}.log"
        self.bin = server_bin_dir()

    def __repr__(self):
        return f"<PrivateCluster 127.0.0.1:{self.port} {self.datadir}>"

    # Life cycle.

    def init(self):
        run_as_postgres(
            self.bin / "initdb",
            "-D",
            self.datadir,
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        with open(self.datadir / "postgresql.conf", "a") as conf:
            conf.write("\n# Private test cluster.\n")
            for name, value in SETTINGS.items():
                conf.write(f"{name} = {value}\n")
        (self.datadir / "pg_hba.conf").write_text(
            "local all all trust\n"
            "host all all 127.0.0.1/32 trust\n"
            "local replication all trust\n"
            "host replication all 127.0.0.1/32 trust\n"
        )
        return self

    def start(self, timeout=30):
        # The port and socket directory are options, not configuration, so a replica copied
        # from the primary's files still comes up on its own port.
        run_as_postgres(
            self.bin / "pg_ctl",
            "start",
            "-D",
            self.datadir,
            "-l",
            self.logfile,
            "-w",
            "-t",
            timeout,
            "-o",
            f"-p {self.port} -k {self.socket_dir}",
            timeout=timeout + 10,
        )
        return self

    def stop(self, mode="fast", timeout=30):
        run_as_postgres(
            self.bin / "pg_ctl",
            "stop",
            "-D",
            self.datadir,
            "-m",
            mode,
            "-w",
            "-t",
            timeout,
            timeout=timeout + 10,
        )

    def restart(self, mode="fast"):
        self.stop(mode)
        self.start()

    def is_running(self):
        if not (self.datadir / "postmaster.pid").exists():
            return False
        result = subprocess.run(
            [
                "runuser",
                "-u",
                OS_USER,
                "--",
                str(self.bin / "pg_ctl"),
                "status",
                "-D",
                str(self.datadir),
            ],
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
        )
        return result.returncode == 0

    def destroy(self):
        """Stop at once if running (never raises) and remove the data directory."""
        try:
            if self.is_running():
                self.stop("immediate")
        except (RuntimeError, subprocess.TimeoutExpired, OSError):
            pass
        shutil.rmtree(self.datadir, ignore_errors=True)

    def log_tail(self, chars=4000):
        try:
            return self.logfile.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    # Talking to it.

    def url(self, dbname="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname="postgres", **kwargs):
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=dbname,
            autocommit=True,
            connect_timeout=5,
            **kwargs,
        )

    def query(self, sql, params=None, dbname="postgres"):
        """Run one statement on a short-lived connection; return all rows (or [])."""
        with self.connect(dbname) as conn, conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def scalar(self, sql, params=None, dbname="postgres"):
        rows = self.query(sql, params, dbname)
        return rows[0][0] if rows else None

    def createdb(self, name):
        self.query(f'CREATE DATABASE "{name}"')

    # Replication.

    def make_streaming_replica(self, port=None, datadir=None, timeout=60):
        """Copy this cluster with pg_basebackup into a hot standby, start it, return it."""
        port = port or free_port()
        datadir = Path(datadir or self.datadir.parent / f"replica-{port}")
        run_as_postgres(
            self.bin / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            self.port,
            "-U",
            "postgres",
            "-D",
            datadir,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
            timeout=timeout,
        )
        replica = PrivateCluster(port, datadir, socket_dir=self.socket_dir)
        try:
            replica.start()
            replica.wait_until(
                lambda: replica.scalar("SELECT pg_is_in_recovery()"),
                timeout=timeout,
                message="replica in recovery",
            )
            self.wait_until(
                lambda: self.scalar(
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
                ),
                timeout=timeout,
                message="primary streaming to the replica",
            )
        except BaseException:
            replica.destroy()  # the caller never gets it, so it cannot clean it up
            raise
        return replica

    def wait_until(self, check, *, timeout=30, interval=0.1, message="condition"):
        """Wait (bounded) until `check()` holds, e.g. until a replica has replayed a row."""
        return wait_until(check, timeout=timeout, interval=interval, message=f"{self}: {message}")

    def pause_replay(self, timeout=10):
        self.query("SELECT pg_wal_replay_pause()")
        self.wait_until(
            lambda: self.scalar("SELECT pg_get_wal_replay_pause_state()") == "paused",
            timeout=timeout,
            message="WAL replay paused",
        )

    def resume_replay(self):
        self.query("SELECT pg_wal_replay_resume()")


class ClusterDirectory:
    """A private directory holding clusters; `cleanup()` stops them all and removes it."""

    def __init__(self):
        self.path = make_private_dir()
        self.clusters = []

    def new_cluster(self, name="primary"):
        cluster = PrivateCluster(free_port(), self.path / name)
        self.clusters.append(cluster)
        return cluster.init()

    def adopt(self, cluster):
        self.clusters.append(cluster)
        return cluster

    def cleanup(self):
        # Replicas first, so a primary's immediate stop does not make them log errors.
        for cluster in reversed(self.clusters):
            cluster.destroy()
        shutil.rmtree(self.path, ignore_errors=True)


# Serving this project's blog from a private cluster (migrations, demo rows, a browser).

PROJECT_DIR = Path(__file__).resolve().parent.parent
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)
SEED_SCRIPT = """
import json
from tests import factories
author = factories.make_author(username="ops-author")
category = factories.make_category(name="数学", slug="math")
post = factories.make_post(author=author, category=category, title={title!r})
print(json.dumps({{"post_id": post.pk}}))
"""


def manage(*args, database_url, timeout=120):
    """Run manage.py against `database_url` (no replicas) and return its stdout."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "DATABASE_REPLICA_URLS": "",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare_blog_database(cluster, dbname="blog", title="梯度下降的几何意义"):
    """Create, migrate and seed `dbname` on `cluster`; return the published post's id."""
    cluster.createdb(dbname)
    manage("migrate", "--noinput", "-v0", database_url=cluster.url(dbname))
    output = manage(
        "shell", "-c", SEED_SCRIPT.format(title=title), database_url=cluster.url(dbname)
    )
    return json.loads(output.strip().splitlines()[-1])["post_id"]


@dataclass
class Response:
    status: int | None  # None: no answer at all (timeout, reset connection)
    headers: Message | dict = field(repr=False)
    body: str = field(repr=False)
    elapsed: float
    error: str = ""

    def header(self, name):
        return self.headers.get(name) if self.headers else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # hand the 3xx back as it came


class Browser:
    """A urllib client for 127.0.0.1: keeps cookies if asked, never follows redirects."""

    def __init__(self, base_url, *, cookies=True, user_agent=BROWSER_USER_AGENT):
        self.base_url = base_url
        self.user_agent = user_agent
        self.jar = http.cookiejar.CookieJar() if cookies else None
        handlers = [urllib.request.ProxyHandler({}), _NoRedirect()]  # never via a proxy
        if self.jar is not None:
            handlers.append(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener = urllib.request.build_opener(*handlers)

    def cookie(self, name):
        return next((c.value for c in self.jar or () if c.name == name), None)

    def copy(self, *, without=()):
        """Another browser holding this one's cookies, except those named in `without`."""
        other = Browser(self.base_url, user_agent=self.user_agent)
        for cookie in self.jar:
            if cookie.name not in without:
                other.jar.set_cookie(copy.copy(cookie))
        return other

    def request(self, method, path, data=None, *, headers=None, timeout=10):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.base_url + path,
            data=body,
            method=method,
            headers={"User-Agent": self.user_agent, **(headers or {})},
        )
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, response_headers, content = (
                    response.status,
                    response.headers,
                    response.read(),
                )
        except urllib.error.HTTPError as error:
            status, response_headers, content = error.code, error.headers, error.read()
        except (urllib.error.URLError, OSError) as error:
            return Response(None, {}, "", time.monotonic() - started, error=repr(error))
        return Response(
            status, response_headers, content.decode(errors="replace"), time.monotonic() - started
        )

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request("POST", path, data, **kwargs)


def comment_form_fields(html):
    """The hidden fields a browser would send back with the comment form on `html`."""
    fields = {}
    for name in ("csrfmiddlewaretoken", "timestamp"):
        match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"', html) or re.search(
            rf'<input[^>]*value="([^"]+)"[^>]*name="{name}"', html
        )
        if match is None:
            raise AssertionError(f"no {name} field in the comment form")
        fields[name] = match.group(1)
    return fields


def comment_data(form_fields, body, *, name="运维测试", email="ops@example.com"):
    return {
        **form_fields,
        "author_name": name,
        "author_email": email,
        "author_url": "",
        "body": body,
        "homepage": "",
    }
