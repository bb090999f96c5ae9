"""Fault injection while a steady client runs simple queries; one table row per fault.

Usage: .venv/bin/python bench/faults.py [--release release] [--workers 2] [--repeat 3]

Starts our server (query deadline 5 s) over the release, and a second one in front of a real
Oxigraph server (the remote backend). A steady client sends simple queries throughout; its p99
during each fault (run --repeat times, the windows taken together) is compared with its baseline.
Each fault reports what the faulting client saw, the steady client's p99, and the time until the
server answered normally again. Loopback only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree

import psutil
import requests

from graph.release import Release
from graph.vocab import DKG
from server.live import oxigraph_server, serve_release

ROOT = Path(__file__).resolve().parent.parent
SIMPLE = f"ASK {{ ?s a <{DKG.LesionPhenotypeStatement}> }}"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DEEP_PATH = "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<http://x/p>)+ ?b . ?c (!<http://x/q>)+ ?d }"
MILLIONS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
MEMORY_BOMB = "SELECT ?a30 WHERE { BIND(\"" + "x" * 64 + "\" AS ?a0) " + " ".join(
    f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(30)) + " }"
QUIET = 4.0  # seconds of the steady client alone before each fault: that fault's baseline
PATHOLOGICAL = ('"' + '\\"' * 32_000).encode()  # 64 KB of escapes: once 31 s of a frozen server


class Steady:
    """A client sending simple queries and lookups (which need no query worker) back to back, in a process of
    its own, recording (time, latency, ok) for each kind. Its own process, so that the fault's client threads
    here never hold the interpreter it times with (perf_counter is the system's monotonic clock, shared by both
    processes). Queries go by POST: a GET answer may come from the server's HTTP cache, and the client is here
    to see how the query workers fare."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.samples: dict[str, list[tuple[float, float, bool]]] = {"query": [], "lookup": []}
        self._process: subprocess.Popen[str] | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            kind, start, latency, ok = json.loads(line)
            self.samples[kind].append((start, latency, ok))

    def __enter__(self) -> Steady:
        self._process = subprocess.Popen([sys.executable, __file__, "--steady", self.url], stdout=subprocess.PIPE,
                                         text=True, cwd=ROOT)
        self._reader.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._process is not None
        self._process.terminate()
        self._process.wait()
        self._reader.join()

    def p99(self, windows: list[tuple[float, float]], kind: str = "query") -> tuple[float, int]:
        """The p99 in ms of the ``kind`` requests started in any of ``windows``, and how many failed."""
        window = [(lat, ok) for t, lat, ok in self.samples[kind] if any(a <= t <= b for a, b in windows)]
        latencies = sorted(lat * 1000 for lat, _ in window)
        failures = sum(1 for _, ok in window if not ok)
        if not latencies:
            return float("nan"), failures
        return latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], failures


def steady_loop(url: str) -> None:
    """The steady client's loop: one JSON line per request on stdout, until terminated."""
    session = requests.Session()
    lookup = url.removesuffix("/sparql") + "/data/S0010.ttl"
    if "/query" in url or not url.endswith("/sparql"):
        lookup = ""
    while True:
        for kind, target, params in (("query", url, {"query": SIMPLE}), ("lookup", lookup, None)):
            if not target:
                continue
            start = time.perf_counter()
            try:
                if params is None:
                    ok = session.get(target, timeout=30).status_code == 200
                else:
                    ok = session.post(target, data=params, timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            print(json.dumps([kind, start, time.perf_counter() - start, ok]), flush=True)
        time.sleep(0.01)


def recovery(url: str, query: str = SIMPLE, limit: float = 60) -> float:
    """Seconds until ``query`` is answered 200 again; infinity if not within ``limit``."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        try:
            if requests.post(url, data={"query": query}, timeout=5).status_code == 200:  # POST: never cached
                return time.perf_counter() - start
        except requests.RequestException:
            pass
        time.sleep(0.02)
    return float("inf")


def tally(statuses: Sequence[object]) -> str:
    """How many of each status, e.g. ``200×3, 503×1``."""
    return ", ".join(f"{code}×{statuses.count(code)}" for code in sorted(set(statuses), key=str))


def heavy(url: str, query: str) -> str:
    start = time.perf_counter()
    response = requests.get(url, params={"query": query}, headers={"Accept": "application/json"}, timeout=60)
    return f"{response.status_code} after {time.perf_counter() - start:.1f} s: {response.text.strip()[:90]}"


def slow_reader(base: str) -> str:
    """Ask for a large answer, then read it at 1 KB/s for 8 s and hang up."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"GET /dumps/dystonia-kg.nt HTTP/1.1\r\nHost: x\r\n\r\n")
        first = sock.recv(1024).split(b"\r\n", 1)[0].decode()
        for _ in range(8):
            time.sleep(1)
            sock.recv(1024)
    return f"{first}; read 1 KB/s for 8 s, then closed"


def pathological(url: str, seconds: float = 5) -> str:
    """The 64 KB text, back to back for ``seconds``: one request lasts a fraction of a second, too short a
    window for a p99 of the steady client's requests to mean more than its slowest one."""
    session = requests.Session()
    statuses, times = [], []
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        start = time.perf_counter()
        response = session.post(url, data=PATHOLOGICAL, headers={"Content-Type": "application/sparql-query"},
                                timeout=60)
        statuses.append(response.status_code)
        times.append(time.perf_counter() - start)
    return (f"{len(statuses)} back to back: {tally(statuses)}, "
            f"median {sorted(times)[len(times) // 2]:.2f} s each")


def slow_clients(base: str, kind: str, count: int = 64, seconds: float = 8) -> str:
    """``count`` clients that send headers a byte a second (``headers``) or never read a dump (``readers``)."""
    host, port = base.removeprefix("http://").split(":")
    stop = threading.Event()

    def one() -> None:
        try:
            with socket.socket() as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.connect((host, int(port)))
                if kind == "readers":
                    sock.sendall(b"GET /dumps/dystonia-kg.nq HTTP/1.1\r\nHost: x\r\n\r\n")
                    stop.wait(seconds)
                    return
                sock.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n")
                while not stop.wait(1):
                    sock.sendall(b"X")
        except OSError:
            pass

    threads = [threading.Thread(target=one, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(5)
    return f"{count} slow {kind} for {seconds:g} s"


HEADER_FLOOD = (b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + b"X-A: aaaaaaaaaaaaaaaaaaaa\r\n" * 7_000 + b"\r\n")  # 189 KB of one field repeated
TINY_CHUNKS = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/sparql-query\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n" + b"1\r\nx\r\n" * 44_000 + b"0\r\n\r\n")  # 264 KB


def one_connection(base: str, request: bytes, seconds: float = 5) -> str:
    """One client sending ``request`` back to back for ``seconds``, each on a connection of its own (found by
    helper-47: requests whose framing waitress read in quadratic time, in the server's one network thread)."""
    host, port = base.removeprefix("http://").split(":")
    statuses: list[bytes] = []
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            with contextlib.suppress(OSError):  # the server may answer and close before it has read it all
                sock.sendall(request)
            answer = b""
            with contextlib.suppress(OSError):
                while chunk := sock.recv(65536):
                    answer += chunk
            statuses.append(answer.split(b" ", 2)[1] if answer.count(b" ") >= 2 else b"none")
    return f"{len(statuses)} back to back: {tally([code.decode() for code in statuses])}"


def new_query_strings(base: str, path: str, seconds: float = 5) -> str:
    """One client asking for ``path`` back to back, under a new query string each time (past the HTTP cache)."""
    session = requests.Session()
    statuses = []
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        statuses.append(session.get(f"{base}{path}?r={len(statuses)}", timeout=30).status_code)
    return f"{len(statuses)} back to back: {tally(statuses)}"


def hang_ups(base: str, seconds: float = 5, connections: int = 2, after: float = 0.06) -> str:
    """One client sending deadline-hitting queries and hanging up after ``after`` s, over ``connections`` at once:
    each hang-up has a worker killed and replaced (found by helper-47)."""
    host, port = base.removeprefix("http://").split(":")
    count = [0]
    until = time.perf_counter() + seconds

    def churn(connection: int) -> None:
        while time.perf_counter() < until:
            body = f"{CARTESIAN} # {connection} {count[0]}".encode()
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                time.sleep(after)
            count[0] += 1
            time.sleep(0.15)  # the server notices a hang-up within 0.1 s

    threads = [threading.Thread(target=churn, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return f"{count[0]} queries hung up after {after * 1000:g} ms"


class PageCrawl:
    """Two connections of one client crawling the entity pages of the sitemap, each page once, asking past any
    cache on the way (``no-cache``): each page is rendered in the server process (found by helper-47)."""

    def __init__(self, base: str) -> None:
        sitemap = ElementTree.fromstring(requests.get(base + "/sitemap.xml", timeout=30).content)
        self.urls = iter([loc.text or "" for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
                          if "/page/" in (loc.text or "")])
        self.base = base

    def __call__(self, seconds: float = 5, connections: int = 2) -> str:
        statuses: list[int] = []
        until = time.perf_counter() + seconds

        def crawl() -> None:
            session = requests.Session()
            for url in self.urls:  # shared: each run of the fault goes on where the last one stopped
                if time.perf_counter() >= until:
                    return
                path = url[url.index("/page/"):]
                statuses.append(session.get(self.base + path, headers={"Cache-Control": "no-cache"},
                                            timeout=30).status_code)

        threads = [threading.Thread(target=crawl) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return f"{len(statuses)} pages: {tally(statuses)}"


def busy_pool_with_pages(base: str) -> str:
    """Saturate the workers and their queue with deadline-hitting queries, and ask for query-backed pages."""
    results: list[int] = []

    def ask(path: str, params: dict[str, str] | None = None) -> None:
        try:
            results.append(requests.get(base + path, params=params, timeout=60).status_code)
        except requests.RequestException:
            results.append(0)

    threads = [threading.Thread(target=ask, args=("/sparql", {"query": CARTESIAN + f" # {i}"})) for i in range(12)]
    threads += [threading.Thread(target=ask, args=(p,)) for p in
                ("/", "/ontology.html", "/void", "/describe?uri=http://purl.obolibrary.org/obo/HP_0001332")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return f"statuses {tally(results)}"


def idle_burners(seconds: float = 5) -> str:
    """The control: one CPU-bound process per core at the lowest priority the kernel has (SCHED_IDLE, below the
    long-query workers' nice 5), touching nothing of the server. What the steady client's p99 does here is the
    machine's own floor for a fault that keeps every core busy, whatever the server does."""
    burn = "import os; os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))\nwhile True: pass"
    burners = [subprocess.Popen([sys.executable, "-c", burn]) for _ in range(os.cpu_count() or 1)]
    time.sleep(seconds)
    for burner in burners:
        burner.kill()
        burner.wait()
    return f"{len(burners)} CPU-bound processes at idle priority for {seconds:g} s, not touching the server"


def kill_worker(server: subprocess.Popen[bytes]) -> str:
    root = psutil.Process(server.pid)
    # Query workers are the children of the pool's forkserver process (and share its command line).
    forkservers = [p for p in root.children(recursive=True) if "forkserver" in " ".join(p.cmdline())
                   and "forkserver" not in " ".join(p.parent().cmdline())]
    workers = [child for server in forkservers for child in server.children()]
    os.kill(workers[0].pid, signal.SIGKILL)
    return f"SIGKILL to query worker {workers[0].pid}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--release", type=Path, default=ROOT / "release")
    parser.add_argument("--workers", type=int, default=2, help="our query worker processes (besides the quick lane)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fault, their windows taken together")
    parser.add_argument("--only", default="", help="run only the faults whose name holds this text")
    parser.add_argument("--steady", metavar="URL", help=argparse.SUPPRESS)  # the steady client's own process
    args = parser.parse_args()
    if args.steady:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        steady_loop(args.steady)
    store = Release.current(args.release).store_path
    env = {"DKG_QUERY_TIMEOUT": "5", "DKG_WORKERS": str(args.workers)}
    log = Path(tempfile.mkdtemp(prefix="dkg-faults-"))
    ours = serve_release(args.release, log=log / "ours.log", **env)
    remote = oxigraph_server(store)
    front = serve_release(args.release, log=log / "front.log", DKG_STORE=f"sparql:{remote.url}/query", **env)
    url, front_url = ours.url + "/sparql", front.url + "/sparql"
    rows = []
    try:
        for target, label in ((url, "embedded"), (front_url, "remote")):
            with Steady(target) as steady:
                time.sleep(2)  # the steady client's first requests (its start, its connections) are no baseline
                faults = []
                if label == "embedded":
                    faults = [
                        ("control: every core busy at idle priority, server untouched", idle_burners),
                        ("cartesian-product query", lambda: heavy(url, CARTESIAN)),
                        ("deep property path", lambda: heavy(url, DEEP_PATH)),
                        ("query returning millions of rows", lambda: heavy(url, MILLIONS)),
                        ("slow-reading client (dump)", lambda: slow_reader(url.removesuffix("/sparql"))),
                        ("query worker killed (SIGKILL)", lambda: kill_worker(ours.process)),
                        ("memory bomb (CONCAT doubling)", lambda: heavy(url, MEMORY_BOMB)),
                        ("64 KB pathological query text", lambda: pathological(url)),
                        ("64 slow clients (headers)", lambda: slow_clients(url.removesuffix("/sparql"), "headers")),
                        ("64 slow readers (dump)", lambda: slow_clients(url.removesuffix("/sparql"), "readers")),
                        ("busy pool and queue, with page routes", lambda: busy_pool_with_pages(
                            url.removesuffix("/sparql"))),
                        ("one client: 189 KB header blocks back to back", lambda: one_connection(
                            url.removesuffix("/sparql"), HEADER_FLOOD)),
                        ("one client: 264 KB of one-byte chunks back to back", lambda: one_connection(
                            url.removesuffix("/sparql"), TINY_CHUNKS)),
                        ("one client: the ontology's JSON-LD under a new query string each time",
                         lambda: new_query_strings(url.removesuffix("/sparql"), "/ontology/doc.jsonld")),
                        ("one client, two connections: a crawl of the entity pages", PageCrawl(
                            url.removesuffix("/sparql"))),
                        ("one client, two connections: deadline-hitting queries hung up after 60 ms",
                         lambda: hang_ups(url.removesuffix("/sparql"))),
                    ]
                else:
                    def stop_and_restart() -> str:
                        nonlocal remote
                        port = remote.port
                        remote.stop()
                        during = requests.get(front_url, params={"query": SIMPLE},
                                              headers={"Accept": "application/json"}, timeout=10)
                        time.sleep(2)
                        remote = oxigraph_server(store, port)
                        return f"while stopped: {during.status_code} {during.text.strip()[:80]}"
                    faults = [("remote backend stopped, restarted after 2 s", stop_and_restart)]
                for name, action in [(name, action) for name, action in faults if args.only in name]:
                    # Each fault's baseline is the quiet window just before it (the machine's other load drifts),
                    # and each fault runs --repeat times: a p99 over one window of a few hundred requests is
                    # nearly its slowest few, and moved by 2x between runs of the same code.
                    quiet, during, recoveries = [], [], []
                    for _ in range(args.repeat):
                        before = time.perf_counter()
                        time.sleep(QUIET)
                        start = time.perf_counter()
                        quiet.append((before, start))
                        seen = action()
                        recoveries.append(recovery(target))
                        time.sleep(1)
                        during.append((start, time.perf_counter()))
                    base_p99, _ = steady.p99(quiet)
                    base_lookup, _ = steady.p99(quiet, "lookup")
                    p99, failures = steady.p99(during)
                    lookup_p99, _ = steady.p99(during, "lookup")
                    samples = sum(1 for t, _, _ in steady.samples["query"] if any(a <= t <= b for a, b in during))
                    rec = max(recoveries)
                    rows.append((name, seen, f"{p99:.1f} ({base_p99:.1f})", f"{p99 / base_p99:.2f}",
                                 f"{lookup_p99:.1f} ({base_lookup:.1f})", samples, failures, f"{rec:.2f} s"))
                    print(f"{name}: {seen} | steady p99 {p99:.1f} ms, lookup {lookup_p99:.1f} ms, {failures} failed"
                          f" | recovered {rec:.2f} s", file=sys.stderr)
        restarts = 0 if ours.process.poll() is None else 1
        print(f"server restarts: {restarts} (the server process {'is still' if not restarts else 'is no longer'} "
              "running)", file=sys.stderr)
    finally:
        for server in (ours, front, remote):
            server.stop()
    print(f"| fault (each run {args.repeat} times) | what the client saw (last run) | steady query p99 ms (baseline: "
          "the 4 s before each run) | ratio | steady lookup p99 ms (baseline) | steady queries in the windows "
          "| steady query failures | recovery (slowest) |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(c).replace("|", "/") for c in row) + " |")


if __name__ == "__main__":
    main()
