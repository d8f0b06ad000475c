"""The journey map model (pydantic) and its YAML form. No engine here."""

from parcours.model.conditions import Operators
from parcours.model.io import dump_map, load_map, map_from_dict, map_from_text, map_json_schema
from parcours.model.journey_map import (
    Action,
    AnalysisDefaults,
    Goal,
    JourneyMap,
    Kpi,
    Lane,
    LocalizedText,
    MatchRule,
    Opportunity,
    PainPoint,
    Persona,
    Segment,
    Source,
    Stage,
    Touchpoint,
    text_in,
)

__all__ = [
    "Action", "AnalysisDefaults", "Goal", "JourneyMap", "Kpi", "Lane", "LocalizedText", "MatchRule", "Operators",
    "Opportunity", "PainPoint", "Persona", "Segment", "Source", "Stage", "Touchpoint",
    "dump_map", "load_map", "map_from_dict",
    "map_from_text", "map_json_schema", "text_in",
]
