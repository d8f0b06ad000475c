"""Readers (CSV/TSV, Parquet, JSON Lines, XES, Ibis tables) -> canonical events; quarantine."""

from parcours.ingest.events import EventLog, IngestReport, parse_max_bad_rows, read_events
from parcours.ingest.roles import parse_columns

__all__ = ["EventLog", "IngestReport", "parse_columns", "parse_max_bad_rows", "read_events"]
