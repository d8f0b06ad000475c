"""Analyses: each takes the prepared events and returns lazy Ibis expressions."""
