"""The project layer: what the CLI, notebooks and the web app call.

:class:`Project` is the one object they share: a map, its data, an engine and a cache, with
``run(spec)`` for the analysis (``analyze`` is ``Project.local(...).run(...)``).
"""

from parcours.project.analyze import SCHEMA_VERSION
from parcours.project.core import Project, analyze

__all__ = ["SCHEMA_VERSION", "Project", "analyze"]
