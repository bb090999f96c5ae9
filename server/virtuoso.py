"""Virtuoso Open Source 7 (Debian's ``virtuoso-opensource``) holding a release, as a plain process on loopback:
for the tests and benchmarks that run the endpoint in front of a second engine (``DKG_STORE=sparql:URL``).

:func:`virtuoso_server` writes a ``virtuoso.ini`` of its own into a folder (the database files there, free
loopback ports for SQL and HTTP, the release's folder readable by the bulk loader), starts
``virtuoso-t +foreground`` on it, waits for its SPARQL endpoint, and bulk-loads the release's N-Quads through
``isql-vt`` (``ld_add``, ``rdf_loader_run()``, ``checkpoint``), each quad into its own named graph. The load
is checked against the manifest's triple count per graph. The database is new, so its DBA account is
Virtuoso's default one: it listens on loopback only.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox

from graph.release import Release
from graph.store import Store, open_backend

from .live import LiveProcess, free_port

SERVER, ISQL = "virtuoso-t", "isql-vt"  # both in Debian's virtuoso-opensource-7-bin

# ResultSetMaxRows: Virtuoso cuts every answer to this many rows without saying so (its default is 10,000), so
# it is set far above the endpoint's own row cap (DKG_MAX_ROWS), which then decides. MaxQueryExecutionTime 0:
# no "anytime" answers (partial ones, cut at that many seconds, given as if whole); the endpoint's own deadline
# (DKG_QUERY_TIMEOUT) bounds each query.
INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {data}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 0
"""


class Virtuoso:
    """A running Virtuoso over one release: its SPARQL endpoint at ``url``, stopped by :meth:`stop`."""

    def __init__(self, server: LiveProcess, sql_port: int) -> None:
        self.server = server
        self.sql_port = sql_port
        self.load_seconds = 0.0  # the bulk load's wall time, checkpoint included

    @property
    def url(self) -> str:
        """The SPARQL endpoint (SPARQL 1.1 Protocol)."""
        return f"{self.server.url}/sparql"

    def sql(self, statements: str, timeout: float = 300.0) -> str:
        """Run SQL statements (``;``-separated) as the DBA through ``isql-vt``; what it printed."""
        command = [_binary(ISQL), f"127.0.0.1:{self.sql_port}", "dba", "dba", "VERBOSE=OFF", "BANNER=OFF",
                   "PROMPT=OFF", "ECHO=OFF", "ERRORS=STDOUT", f"EXEC={statements}"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        output = done.stdout + done.stderr
        # isql exits 0 whatever a statement did; it reports each failure on a line of its own.
        if done.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql-vt failed on {statements!r}: {output.strip()}")
        return output

    def load(self, release: Release) -> float:
        """Bulk-load the release's N-Quads (named graphs kept), check each graph's count; the seconds it took."""
        nquads = release.dump("nq")
        started = time.perf_counter()
        # The graph argument is for triples without one: the release writes every quad into a named graph.
        self.sql(f"ld_add('{nquads}', NULL); rdf_loader_run(); checkpoint;")
        self.load_seconds = time.perf_counter() - started
        expected = {str(g): int(n) for g, n in release.manifest["graphs"].items()}
        counted = graph_counts(open_backend(f"sparql:{self.url}", list(expected)))
        if counted != expected:
            raise RuntimeError(f"Virtuoso holds other counts than the release's manifest: {counted} != {expected}")
        return self.load_seconds

    def stop(self) -> None:
        """Stop the server (its folder stays, for its log)."""
        self.server.stop()

    def __enter__(self) -> Virtuoso:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def graph_counts(store: Store) -> dict[str, int]:
    """Triples per named graph, as the store's dataset shows them."""
    result = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("a SELECT answered with no solutions")
    return {row["g"].value: int(row["n"].value) for row in result}


def virtuoso_server(release: Release, folder: Path) -> Virtuoso:
    """Virtuoso with its database in ``folder`` (made if missing), holding ``release``; ready and loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    data = release.dump("nq").resolve().parent
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(folder=folder.resolve(), sql_port=sql_port, http_port=http_port, data=data))
    server = LiveProcess([_binary(SERVER), "+foreground", "+configfile", str(ini)], "/sparql",
                         log=folder / "virtuoso.out", cwd=folder, port=http_port)
    virtuoso = Virtuoso(server, sql_port)
    try:
        virtuoso.load(release)
    except BaseException:
        virtuoso.stop()
        raise
    return virtuoso


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} is missing: `make system-tools` installs Debian's virtuoso-opensource")
    return path
