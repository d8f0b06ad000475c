"""The project layer: what the CLI, notebooks and (later) the web app call.

It reads inputs, prepares them once, runs the analyses and assembles results.
"""

from parcours.project.analyze import SCHEMA_VERSION, analyze

__all__ = ["SCHEMA_VERSION", "analyze"]
