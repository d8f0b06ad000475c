"""Engine functions Ibis does not expose directly: builtins, and two window functions (``LAG``/``LEAD``
with ``IGNORE NULLS``) taught to Ibis' DuckDB and Spark compilers. No SQL text anywhere."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.rules as rlz
import ibis.expr.types as ir


@ibis.udf.scalar.builtin(name="timezone")
def _duckdb_timezone(tz: str, ts: dt.Timestamp()) -> dt.Timestamp(timezone="UTC"):  # type: ignore[valid-type]
    """DuckDB's ``timezone(tz, naive)``: the instant of a wall-clock time in zone ``tz``."""


@ibis.udf.scalar.builtin(name="to_utc_timestamp")
def _spark_to_utc(ts: dt.Timestamp(), tz: str) -> dt.Timestamp():  # type: ignore[valid-type]
    """Spark's ``to_utc_timestamp(wall_clock, tz)`` (the session works in UTC)."""


def local_to_utc(ts: ir.TimestampValue, tz: str) -> ir.TimestampValue:
    """Read a naive timestamp as wall-clock time in ``tz`` and return the UTC instant."""
    if engine_of(ts) == "pyspark":
        return _spark_to_utc(ts, tz).cast(dt.Timestamp(timezone="UTC"))
    return _duckdb_timezone(tz, ts)


@ibis.udf.scalar.builtin(name="make_timestamp")
def _duckdb_make_timestamp(us: dt.int64) -> dt.Timestamp():  # type: ignore[valid-type]
    """DuckDB's ``make_timestamp(microseconds)``."""


def engine_of(expr: ir.Expr) -> str:
    """The name of the engine an expression runs on (``duckdb`` for an unbound one)."""
    try:
        return ibis.get_backend(expr).name
    except Exception:  # noqa: BLE001 - a literal or an in-memory table has no backend
        return "duckdb"


def epoch_us_to_timestamp(us: ir.IntegerValue, backend: str | None = None) -> ir.TimestampValue:
    """Integer microseconds since 1970-01-01 UTC -> timestamp (UTC), exact (before 1970 too).

    On DuckDB its own ``make_timestamp``; elsewhere whole seconds plus the (non-negative)
    rest as an interval, the form Spark accepts.
    """
    utc = dt.Timestamp(timezone="UTC")
    if (backend or engine_of(us)) == "duckdb":
        return _duckdb_make_timestamp(us).cast(utc)
    seconds = us // 1_000_000  # floor: the rest below is never negative
    return (seconds.as_timestamp("s") + (us - seconds * 1_000_000).as_interval("us")).cast(utc)


@ibis.udf.scalar.builtin(name="epoch_us")
def _duckdb_epoch_us(ts: dt.Timestamp(timezone="UTC")) -> dt.int64:  # type: ignore[valid-type]
    """DuckDB's ``epoch_us(ts)``."""


def timestamp_to_epoch_us(ts: ir.TimestampValue, backend: str | None = None) -> ir.IntegerValue:
    """Timestamp -> integer microseconds since 1970-01-01 UTC.

    On DuckDB, its own ``epoch_us``: the portable ``date_diff`` form goes through the
    time-zone-aware path and costs ~3 s per 10M events instead of ~0.02 s (bench/).
    """
    if (backend or engine_of(ts)) == "duckdb":
        return _duckdb_epoch_us(ts)
    return ts.delta(ibis.timestamp("1970-01-01 00:00:00+00:00"), unit="microsecond").cast("int64")


@ibis.udf.scalar.builtin(name="xxhash64")
def _spark_xxhash64(x: dt.int64) -> dt.int64:  # type: ignore[valid-type]
    """Spark's 64-bit ``xxhash64`` (its ``hash`` is 32-bit)."""


@ibis.udf.scalar.builtin(name="xxhash64")
def _spark_xxhash64_text(x: dt.string) -> dt.int64:  # type: ignore[valid-type]
    """Spark's 64-bit ``xxhash64`` of a text."""


@ibis.udf.agg.builtin(name="bit_xor")
def _spark_bit_xor(x: dt.int64) -> dt.int64:  # type: ignore[valid-type]
    """Spark's ``bit_xor`` aggregate (Ibis 12 compiles no rule for it on Spark)."""


@ibis.udf.scalar.builtin(name="hash")
def _duckdb_hash(x: dt.int64) -> dt.uint64:  # type: ignore[valid-type]
    """DuckDB's ``hash`` of an integer (signed or not), as the unsigned 64-bit number it returns."""


@ibis.udf.scalar.builtin(name="hash")
def _duckdb_hash_text(x: dt.string) -> dt.uint64:  # type: ignore[valid-type]
    """DuckDB's ``hash`` of a text (or of an ENUM-encoded name)."""


def hash64(x: ir.Value, backend: str) -> ir.IntegerValue:
    """A 64-bit hash of a text or an integer (the engine's own; values differ by engine).

    On DuckDB, its ``hash`` kept unsigned: Ibis' ``hash()`` casts it to a signed integer
    through a bit string, which cost 1.5 s of the variants' 2.9 s CPU at 10M events (bench/).
    """
    if backend == "pyspark":
        return _spark_xxhash64_text(x) if x.type().is_string() else _spark_xxhash64(x.cast("int64"))
    if backend == "duckdb":
        return _duckdb_hash_text(x) if x.type().is_string() else _duckdb_hash(x)
    return x.hash()


def bit_xor(x: ir.IntegerValue, backend: str) -> ir.IntegerScalar:
    """XOR of a column's values (an aggregate)."""
    if backend == "pyspark":
        return _spark_bit_xor(x.cast("int64"))
    return x.bit_xor()


def bitwise_xor(a: ir.IntegerValue, b: ir.IntegerValue, backend: str) -> ir.IntegerValue:
    """``a XOR b`` per row: DuckDB's ``xor``, Spark's ``^`` (portable as (a | b) - (a & b))."""
    if backend == "pyspark":
        return (a | b) - (a & b)
    return a ^ b


@ibis.udf.scalar.builtin(name="monotonically_increasing_id")
def row_ids() -> dt.int64:  # type: ignore[valid-type]
    """Spark's ``monotonically_increasing_id()``: increasing within each partition, unique."""


class _ShiftSkippingNulls(ops.Analytic):
    """``lag``/``lead`` that skips nulls (``IGNORE NULLS``); Ibis 12 has no form of it."""

    arg: ops.Column[dt.Any]
    dtype = rlz.dtype_like("arg")


class PreviousNonNull(_ShiftSkippingNulls):
    """The nearest earlier non-null value in the window's order: ``LAG(x) IGNORE NULLS``."""


class NextNonNull(_ShiftSkippingNulls):
    """The nearest later non-null value in the window's order: ``LEAD(x) IGNORE NULLS``."""


_SKIPPING_REGISTERED = False


def _register_skipping() -> None:
    """Teach the two engines the analyses run on (DuckDB, Spark) to compile the nodes above.

    Both have ``LAG``/``LEAD`` with ``IGNORE NULLS`` (DuckDB as ``LAG(x IGNORE NULLS)``, Spark
    as ``LAG(x) IGNORE NULLS``: sqlglot writes each dialect's form). Done on first use, so
    that importing Parcours does not load Ibis' compilers.
    """
    global _SKIPPING_REGISTERED
    if _SKIPPING_REGISTERED:
        return
    import sqlglot.expressions as sge
    from ibis.backends.sql.compilers import DuckDBCompiler, PySparkCompiler

    def previous(self: Any, op: Any, *, arg: Any) -> Any:
        return sge.IgnoreNulls(this=sge.Lag(this=arg))

    def following(self: Any, op: Any, *, arg: Any) -> Any:
        return sge.IgnoreNulls(this=sge.Lead(this=arg))

    for compiler in (DuckDBCompiler, PySparkCompiler):
        compiler.visit_PreviousNonNull = previous
        compiler.visit_NextNonNull = following
    _SKIPPING_REGISTERED = True


def previous_non_null(x: ir.Column) -> ir.Column:
    """The nearest earlier non-null value of ``x`` (use with ``.over(window)``), on DuckDB and Spark.

    >>> import ibis
    >>> t = ibis.memtable({"k": [1, 2, 3, 4], "x": ["a", None, None, "b"]})
    >>> w = ibis.window(order_by="k")
    >>> t.mutate(p=previous_non_null(t.x).over(w)).order_by("k").p.to_list()
    [None, 'a', 'a', 'a']
    """
    _register_skipping()
    return PreviousNonNull(x).to_expr()


def next_non_null(x: ir.Column) -> ir.Column:
    """The nearest later non-null value of ``x`` (use with ``.over(window)``), on DuckDB and Spark.

    >>> import ibis
    >>> t = ibis.memtable({"k": [1, 2, 3, 4], "x": ["a", None, None, "b"]})
    >>> w = ibis.window(order_by="k")
    >>> t.mutate(n=next_non_null(t.x).over(w)).order_by("k").n.to_list()
    ['b', 'b', 'b', None]
    """
    _register_skipping()
    return NextNonNull(x).to_expr()
