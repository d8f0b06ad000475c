"""The analysis engine: Ibis connections, the canonical event table, rule compilation."""
