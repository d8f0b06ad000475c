"""Parcours: customer journey mapping driven by real data.

The Python façade::

    import parcours
    journey_map = parcours.load_map("map.yaml")
    log = parcours.read_events("events.csv")
    result = parcours.analyze(log, journey_map)
    result = parcours.analyze(log, journey_map, top=10, lang="fr")   # or parcours.AnalysisSpec(...)
    result["transitions"].to_pandas()
    project = parcours.Project.local("map.yaml", "events.csv")    # the object the CLI and web app use
    project.run(top=5)["variants"].to_pandas()
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"

__all__ = ["AnalysisResult", "AnalysisSpec", "JourneyMap", "Project", "analyze", "load_map", "read_events", "segments", "__version__"]


def __getattr__(name: str):  # heavy imports (ibis, duckdb) only when used: `parcours --help` stays fast
    if name in ("analyze", "Project"):
        import parcours.project as project

        return getattr(project, name)
    if name == "segments":
        from parcours.project.segments import segments

        return segments
    if name == "read_events":
        from parcours.ingest import read_events

        return read_events
    if name == "AnalysisResult":
        from parcours.result import AnalysisResult

        return AnalysisResult
    if name == "AnalysisSpec":
        from parcours.model.specs import AnalysisSpec

        return AnalysisSpec
    if name in ("load_map", "JourneyMap"):
        import parcours.model as model

        return getattr(model, name)
    raise AttributeError(f"module 'parcours' has no attribute {name!r}")
