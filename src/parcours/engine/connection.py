"""Open the analysis engine: embedded DuckDB by default, Spark, or any Ibis backend URL.

Spark URLs (extra ``parcours[spark]``):

- ``spark`` (or ``spark://local``, ``pyspark://``): a local session using every core
  (``threads`` cores when given), or the session already active in this process
  (a notebook on a cluster);
- ``spark://HOST:PORT`` (a standalone master), ``yarn``-style masters as ``spark:yarn`` or
  ``spark:k8s://...``: a session on that cluster master;
- ``sc://HOST:PORT``: a Spark Connect server.

``PARCOURS_SPARK_CONF`` adds session settings (``key=value`` pairs separated by spaces or
commas, e.g. ``spark.executor.memory=8g``). A master or Connect server that does not accept
a connection within ``PARCOURS_SPARK_CONNECT_TIMEOUT`` seconds (default 10) is a clear error.
"""

from __future__ import annotations

import os
import re
import tempfile
from typing import Any

import ibis

from parcours.errors import EngineError, OptionError


def connect(url: str | None = None, *, memory_limit: str | None = None, threads: int | None = None,
            temp_directory: str | None = None) -> Any:
    """Connect to the engine named by ``url`` (an Ibis URL such as ``duckdb://`` or
    ``duckdb:///data/events.ddb``). ``None`` means an in-memory DuckDB.

    DuckDB gets a memory limit and a spill directory so that large logs sort out of core
    instead of exhausting memory. ``PARCOURS_MEMORY_LIMIT`` (or ``memory_limit``) sets it;
    by default it is 60% of the machine's memory, at most 3 GB, until the events are
    counted: then ``fit_memory_limit`` sizes it to the log. Every session works in UTC.
    """
    url = url or "duckdb://"
    if is_spark_url(url):
        return connect_spark(url, threads=threads, memory_limit=memory_limit)
    try:
        con = ibis.connect(url)
    except Exception as e:  # noqa: BLE001 - any backend error becomes one clear message
        raise EngineError(f"cannot connect to the engine {url!r}: {e}",
                          hint="check the URL (e.g. duckdb://, duckdb:///file.ddb) and that the backend's extra is installed") from None
    if con.name == "duckdb":
        chosen = memory_limit or os.environ.get("PARCOURS_MEMORY_LIMIT")
        memory_limit = chosen or _default_memory_limit()
        con._parcours_fit_memory = not chosen  # the default may be sized to the log (fit_memory_limit)
        memory_mb(memory_limit)  # a clear error for a size DuckDB would reject with its parser's
        temp_directory = temp_directory or os.environ.get("PARCOURS_TEMP_DIRECTORY") or os.path.join(
            tempfile.gettempdir(), "parcours-duckdb-spill")
        raw = con.con
        # Parameters, not SQL text: nothing user-supplied is pasted into a statement.
        _set(raw, "TimeZone", "UTC")
        _set(raw, "memory_limit", memory_limit)
        _set(raw, "temp_directory", temp_directory)
        _set(raw, "preserve_insertion_order", True)
        threads = threads or os.environ.get("PARCOURS_THREADS")
        if threads:
            _set(raw, "threads", int(threads))
    return con


def _set(raw: Any, name: str, value: Any) -> None:
    # DuckDB's SET takes no bound parameters: the value goes through duckdb's own literal
    # quoting; the option name is always one of ours, never user text.
    import duckdb

    literal = duckdb.ConstantExpression(value)
    raw.execute(f"SET {name} = {literal}")


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT])i?B\s*$", re.IGNORECASE)


def memory_mb(text: str) -> int:
    """Megabytes in a memory size such as ``4GB``, ``1.5GiB`` or ``500MB``.

    >>> memory_mb("4GB"), memory_mb("1.5GiB"), memory_mb("500 MB")
    (4096, 1536, 500)
    """
    m = _SIZE.match(str(text))
    if not m:
        raise OptionError(f"memory limit {text!r} (--memory-limit or PARCOURS_MEMORY_LIMIT) is not a size",
                          hint="write a number and a unit, e.g. 4GB, 1.5GB or 500MB")
    factor = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}[m.group(2).upper()]
    return max(1, int(float(m.group(1)) * factor))


def _default_memory_limit(cap_gb: int = 3) -> str:
    """60% of the machine's memory, at most 3 GB: DuckDB spills to disk instead of growing.
    The limit until the events are counted; ``fit_memory_limit`` then sizes it to the log."""
    return f"{_memory_cap_mb(cap_gb)}MB"


def _memory_cap_mb(cap_gb: int = 3) -> int:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        return int(min(pages * 0.6, cap_gb * 2**30) / 2**20)
    except (ValueError, OSError, AttributeError):
        return cap_gb * 1024


# What the analyses of a log need beyond what DuckDB can spill (the median's values, the
# sets of distinct journeys) grows with the log: measured in bench/, 10M events run in
# 512 MB (1.0 GB peak, 4% slower than with 3 GB), 100M events do not.
FIT_BYTES_PER_EVENT = 48
FIT_MIN_MB = 512


def fit_memory_limit(con: Any, events: int) -> str | None:
    """Size DuckDB's default memory limit to a log of ``events`` events: 48 bytes an event,
    at least 512 MB, at most the default cap (60% of the memory, 3 GB). A limit the user
    chose (``--memory-limit``, ``PARCOURS_MEMORY_LIMIT``) is left alone. Returns the new
    limit, or None when nothing changed."""
    if getattr(con, "name", None) != "duckdb" or not getattr(con, "_parcours_fit_memory", False):
        return None
    mb = min(_memory_cap_mb(), max(FIT_MIN_MB, events * FIT_BYTES_PER_EVENT // 2**20))
    mb = max(mb, getattr(con, "_parcours_fitted_mb", 0))  # several logs on one connection: the largest
    con._parcours_fitted_mb = mb
    _set(con.con, "memory_limit", f"{mb}MB")
    return f"{mb}MB"


# -- Spark ------------------------------------------------------------------------------
SPARK_LOCAL = ("spark", "pyspark", "spark://", "pyspark://", "spark://local", "pyspark://local")


def is_spark_url(url: str) -> bool:
    """``spark``, ``spark://...``, ``spark:MASTER``, ``pyspark://...`` or ``sc://...``.

    >>> [is_spark_url(u) for u in ("spark", "spark://h:7077", "sc://h:15002", "duckdb://", "spark:yarn")]
    [True, True, True, False, True]
    """
    u = url.strip().lower()
    return u in SPARK_LOCAL or u.startswith(("spark://", "spark:", "pyspark://", "sc://"))


def spark_master(url: str, threads: int | None = None) -> tuple[str, str | None]:
    """(master, remote) for a Spark URL: a local master, a cluster master, or a Connect URL.

    >>> spark_master("spark", threads=2)
    ('local[2]', None)
    >>> spark_master("spark://10.0.0.5:7077")
    ('spark://10.0.0.5:7077', None)
    >>> spark_master("spark:yarn")
    ('yarn', None)
    >>> spark_master("sc://10.0.0.5:15002")
    (None, 'sc://10.0.0.5:15002')
    """
    u = url.strip()
    if u.lower() in SPARK_LOCAL:
        return f"local[{int(threads) if threads else '*'}]", None
    if u.lower().startswith("sc://"):
        return None, u
    if u.lower().startswith("pyspark://"):
        u = "spark://" + u[len("pyspark://"):]
    if u.lower().startswith("spark://"):
        return u, None
    return u[len("spark:"):], None  # spark:yarn, spark:k8s://..., spark:local[4]


def connect_spark(url: str = "spark", *, threads: int | None = None, memory_limit: str | None = None) -> Any:
    """An Ibis PySpark backend on a session for ``url`` (see the module doc).

    A process has one Spark session: when one is active (a notebook on a cluster, or an
    earlier call), it is reused and ``url`` is not looked at. A new local session works in
    UTC, without its web UI, its driver bound to 127.0.0.1 (``SPARK_LOCAL_IP`` overrides),
    with ``memory_limit`` (or ``PARCOURS_MEMORY_LIMIT``; default: 60% of the machine's
    memory, at most 4 GB) as the driver's memory.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("the Spark engine needs PySpark",
                          hint='install the extra: pip install "parcours[spark]" (Java 17 or 21 must be on the PATH)') from None
    threads = threads or (int(os.environ["PARCOURS_THREADS"]) if os.environ.get("PARCOURS_THREADS") else None)
    master, remote = spark_master(url, threads)
    session = SparkSession.getActiveSession()
    if session is None:
        local = bool(master and master.startswith("local"))
        _check_answers(remote or master)
        if local:  # the driver answers on loopback only, whatever the machine's name resolves to
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder.appName("parcours")
        builder = builder.remote(remote) if remote else builder.master(master)
        conf = {"spark.sql.session.timeZone": "UTC", "spark.ui.enabled": "false",
                "spark.sql.execution.arrow.pyspark.enabled": "true", "spark.ui.showConsoleProgress": "false"}
        if local:
            limit = memory_limit or os.environ.get("PARCOURS_MEMORY_LIMIT") or _default_memory_limit(4)
            conf.update({"spark.driver.memory": f"{memory_mb(limit)}m",
                         "spark.driver.bindAddress": os.environ["SPARK_LOCAL_IP"],
                         "spark.sql.shuffle.partitions": str(max(4, 4 * (threads or os.cpu_count() or 2))),
                         "spark.local.dir": os.environ.get("PARCOURS_TEMP_DIRECTORY") or os.path.join(
                             tempfile.gettempdir(), "parcours-spark-spill"),
                         # tables created by a local session: not in the current folder
                         "spark.sql.warehouse.dir": _warehouse()})
        conf.update(_spark_conf(os.environ.get("PARCOURS_SPARK_CONF", "")))
        for key, value in conf.items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
        except Exception as e:  # noqa: BLE001 - Java missing, master unreachable...
            raise EngineError(f"cannot start a Spark session on {remote or master}: {_first_line(e)}",
                              hint="check that Java (17 or 21) is installed and JAVA_HOME set, and that the master "
                                   "or Connect server answers") from None
        if local:  # Spark's own log would bury the progress Parcours prints
            session.sparkContext.setLogLevel(os.environ.get("PARCOURS_SPARK_LOG_LEVEL", "ERROR"))
    else:
        session.conf.set("spark.sql.session.timeZone", "UTC")
    import ibis

    return ibis.pyspark.connect(session)


def server_addresses(target: str) -> list[tuple[str, int]]:
    """The (host, port) pairs a Spark master or Connect URL names; [] for local, YARN, k8s.

    >>> server_addresses("sc://10.0.0.5:15002/;token=abc")
    [('10.0.0.5', 15002)]
    >>> server_addresses("sc://spark.example.org")
    [('spark.example.org', 15002)]
    >>> server_addresses("spark://m1:7077,m2:7077")
    [('m1', 7077), ('m2', 7077)]
    >>> server_addresses("sc://[::1]"), server_addresses("sc://[::1]:15003")
    ([('::1', 15002)], [('::1', 15003)])
    >>> server_addresses("local[2]"), server_addresses("yarn")
    ([], [])
    """
    for scheme, default in (("sc://", 15002), ("spark://", 7077)):
        if target.lower().startswith(scheme):
            hosts = target[len(scheme):].split("/", 1)[0].split(",")
            out = []
            for h in hosts:
                if h.startswith("["):  # [IPv6]:port
                    host, _, rest = h[1:].partition("]")
                    port = rest[1:] if rest.startswith(":") else ""
                else:
                    host, _, port = h.rpartition(":") if ":" in h else (h, "", "")
                out.append((host, int(port) if port.isdigit() else default))
            return out
    return []


def _check_answers(target: str, timeout: float | None = None) -> None:
    """Fail at once, clearly, when no server of ``target`` accepts a connection: Spark's own
    clients retry for minutes without a word (a Connect client ~10 minutes)."""
    import socket

    addresses = server_addresses(target)
    if not addresses:
        return
    if timeout is None:
        text = os.environ.get("PARCOURS_SPARK_CONNECT_TIMEOUT", "10")
        try:
            timeout = float(text)
        except ValueError:
            raise OptionError(f"PARCOURS_SPARK_CONNECT_TIMEOUT={text!r} is not a number of seconds",
                              hint="e.g. PARCOURS_SPARK_CONNECT_TIMEOUT=30") from None
    errors = []
    for host, port in addresses:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return
        except OSError as e:
            errors.append(f"{host}:{port}: {e.strerror or e}")
    kind = "Spark Connect server" if target.lower().startswith("sc://") else "Spark master"
    raise EngineError(f"no {kind} answers at {target} ({'; '.join(errors)})",
                      hint="check the host and port (a Connect server listens on 15002, a standalone master on 7077 "
                           "by default), that the server is running and that no firewall is in the way")


def _warehouse() -> str:
    """A folder of this process for the tables a local session creates, removed at exit."""
    import atexit
    import shutil

    path = tempfile.mkdtemp(prefix="parcours-spark-warehouse-")
    atexit.register(shutil.rmtree, path, True)
    return path


def _spark_conf(text: str) -> dict[str, str]:
    """``"a=1, b=2"`` -> ``{"a": "1", "b": "2"}``.

    >>> _spark_conf("spark.executor.memory=8g, spark.sql.shuffle.partitions=400")
    {'spark.executor.memory': '8g', 'spark.sql.shuffle.partitions': '400'}
    """
    out = {}
    for part in text.replace(",", " ").split():
        key, sep, value = part.partition("=")
        if not sep or not key:
            raise EngineError(f"PARCOURS_SPARK_CONF: {part!r} is not key=value",
                              hint="e.g. PARCOURS_SPARK_CONF='spark.executor.memory=8g spark.executor.cores=4'")
        out[key] = value
    return out


def _first_line(e: Exception) -> str:
    lines = [line for line in str(e).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(e).__name__
