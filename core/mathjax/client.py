"""The Python side of the renderer: one Node process per Python process, started on first use.

Requests go to core/mathjax/renderer.mjs as JSON lines and come back the same way, one at a
time (a lock), so a worker's Node process is reused for every save. A missing Node, a crash
or a request past MATH_RENDER_TIMEOUT raises RendererUnavailable; the process is then
restarted by the next request.
"""

import json
import os
import selectors
import shutil
import subprocess
import threading
import time
from pathlib import Path

from django.conf import settings

RENDERER = Path(__file__).with_name("renderer.mjs")


class RendererUnavailable(RuntimeError):
    """Node or the renderer could not answer; the caller falls back to MathJax in the browser."""


class _Renderer:
    def __init__(self):
        self._lock = threading.Lock()
        self._process = None
        self._next_id = 0

    def request(self, payload):
        with self._lock:
            process = self._running()
            self._next_id += 1
            payload = {**payload, "id": self._next_id}
            try:
                process.stdin.write(json.dumps(payload, ensure_ascii=False) + "\n")
                process.stdin.flush()
                answer = self._read_line(process, settings.MATH_RENDER_TIMEOUT)
            except (OSError, RendererUnavailable) as error:
                self._stop()
                raise RendererUnavailable(str(error) or type(error).__name__) from error
            if answer.get("id") != payload["id"]:
                self._stop()
                raise RendererUnavailable("the renderer answered out of turn")
            if "error" in answer:
                raise RendererUnavailable(answer["error"].splitlines()[0])
            return answer

    def _running(self):
        if self._process is not None and self._process.poll() is None:
            return self._process
        node = settings.MATH_RENDER_NODE or shutil.which("node")
        if not node or not (os.path.isfile(node) and os.access(node, os.X_OK)):
            raise RendererUnavailable("Node.js is not installed")
        try:
            self._process = subprocess.Popen(
                [node, str(RENDERER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                bufsize=1,
                cwd=settings.BASE_DIR,
            )
        except OSError as error:
            raise RendererUnavailable(f"Node.js could not start: {error}") from error
        return self._process

    @staticmethod
    def _read_line(process, timeout):
        # A blocking readline could hang a request forever on a stuck renderer.
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RendererUnavailable(f"no answer within {timeout} s")
                if selector.select(remaining):
                    line = process.stdout.readline()
                    if not line:
                        raise RendererUnavailable("the renderer exited")
                    return json.loads(line)

    def _stop(self):
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def stop(self):
        with self._lock:
            self._stop()


_renderer = _Renderer()


def render(math, *, scope, safe=False, labels=None):
    """Typeset the texts of math wrappers as one document; return the renderer's answer."""
    return _renderer.request(
        {"math": list(math), "scope": scope, "safe": safe, "labels": labels or {}}
    )


def stop():
    """End this process's renderer (tests, and after a MathJax upgrade)."""
    _renderer.stop()
