"""Real server processes on loopback, started and awaited in one way: for the tests, the benchmarks
and CI, which drive our server and its peers (an Oxigraph server) over HTTP.

``LiveProcess`` runs any command that serves SPARQL at ``ready_path`` and waits until an ``ASK {}``
there is answered; ``serve_release`` starts ours on a release folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType

START_TIMEOUT = 120.0  # seconds; a loaded CI machine may be slow to start the query workers


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_memory_mb(pid: int, proportional: bool = False) -> float | None:
    """Memory of process ``pid`` and all its descendants, summed, in MB: resident (RSS), or ``proportional`` (PSS:
    a page shared by n processes counts 1/n in each, so the sum is what the tree holds, a shared library once;
    RSS counts it in every process that maps it). ``None`` when the tree changed while it was read (a query worker
    replaced, a process ended). psutil is a test and bench dependency only."""
    import psutil

    try:
        root = psutil.Process(pid)
        tree = [p for p in [root, *root.children(recursive=True)] if p.is_running()]
        return sum(p.memory_full_info().pss if proportional else p.memory_info().rss for p in tree) / 2**20
    except psutil.Error:
        return None


class LiveProcess:
    """A server child process on a loopback port, ready when ``__init__`` returns.

    ``command`` may contain ``{port}``; its output goes to ``log`` (discarded when ``None``). It is ready
    when an ``ASK {}`` at ``ready_path`` is answered, or, with ``ready_path=None``, as soon as it accepts
    connections (our server listens only once it is warm). ``startup`` is the seconds from launch until then.
    """

    def __init__(self, command: list[str], ready_path: str | None, env: dict[str, str] | None = None,
                 log: Path | None = None, cwd: Path | None = None, port: int | None = None,
                 timeout: float = START_TIMEOUT) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.name = Path(command[0]).name
        started = time.perf_counter()
        output = log.open("wb") if log is not None else subprocess.DEVNULL
        self.process = subprocess.Popen([part.replace("{port}", str(self.port)) for part in command],
                                        env={**os.environ, **(env or {})}, stdout=output, stderr=subprocess.STDOUT,
                                        cwd=cwd)
        self._await(ready_path, timeout)
        self.startup = time.perf_counter() - started

    def _await(self, ready_path: str | None, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited during start-up: {self.output()}")
            try:
                if ready_path is None:
                    socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
                    return
                with urllib.request.urlopen(f"{self.url}{ready_path}?query=ASK%7B%7D", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:  # urllib's HTTPError is one
                time.sleep(0.02)
        self.stop()  # never leave a half-started server behind
        raise RuntimeError(f"{self.name} did not answer within {timeout:g} s: {self.output()}")

    def output(self) -> str:
        """What the process has written so far (when it has a log)."""
        return self.log.read_text(errors="replace") if self.log is not None and self.log.exists() else ""

    def stop(self) -> None:
        """Terminate the process (kill it if it does not stop within 20 s)."""
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> LiveProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def serve_release(release: Path, *extra: str, log: Path | None = None, ready: str | None = "/sparql",
                  **env: str) -> LiveProcess:
    """Our server (``dystonia-kg serve`` and ``extra`` options) on ``release``, with ``DKG_*`` settings from
    ``env``; its output goes to ``log``, by default ``server-<port>.log`` in the release folder. It is
    awaited as ``LiveProcess`` says, at ``ready``."""
    port = free_port()
    command = [sys.executable, "-m", "graph.cli", "--release", str(release), "serve", "--port", "{port}", *extra]
    return LiveProcess(command, ready, env, log=log or release / f"server-{port}.log", port=port)


def oxigraph_server(store: Path, port: int | None = None, union_default_graph: bool = True) -> LiveProcess:
    """A real Oxigraph server (the ``oxigraph`` package's binary) over ``store``, read-only, whose default
    graph is the union of the named graphs (as ours), or, without ``union_default_graph``, its own (empty)."""
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if binary is None:
        raise FileNotFoundError("the oxigraph server binary is missing: it comes with the `oxigraph` package "
                                "(a test dependency)")
    command = [binary, "serve-read-only", "--location", str(store), "--bind", "127.0.0.1:{port}"]
    command += ["--union-default-graph"] if union_default_graph else []
    return LiveProcess(command, "/query", port=port)
