"""Moved to :mod:`parcours.project.ratelimit`; this name stays until web/app.py imports it from there."""

from parcours.project.ratelimit import RateLimiter

__all__ = ["RateLimiter"]
