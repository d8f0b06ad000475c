"""The built-in analyses, registered through the same call an extension uses.

In the order they run and appear in analysis.json. Builders are named ``"module:function"``
so that declaring them imports no engine.
"""

from __future__ import annotations

from parcours.analysis.registry import Analysis, Table, register

register(Analysis(
    "summary", "parcours.analysis.summary:plan", always=True, progress="analysing: summary and journey durations",
    description="events, journeys, customers, conversion, period and journey durations (always computed)"))
register(Analysis(
    "transitions", "parcours.analysis.transitions:plan", progress="analysing: transitions",
    tables=(Table("transitions"), Table("starts"), Table("ends")),
    description="touchpoint → touchpoint transitions, and where journeys start and end"))
register(Analysis(
    "touchpoints", "parcours.analysis.touchpoints:plan", progress="analysing: touchpoints",
    tables=(Table("touchpoints"), Table("unmapped")),
    description="the touchpoint table, and the events on no touchpoint of the map"))
register(Analysis(
    "variants", "parcours.analysis.variants:plan", cost="sequences", progress="analysing: variants",
    tables=(Table("variants"),), description="distinct paths and the journeys taking each"))
register(Analysis(
    "funnel", "parcours.analysis.funnel:plan", stages=True, visit_starts=True, cost="visits",
    tables=(Table("stages"),), description="the stage funnel, in the designed order and in any order"))
register(Analysis(
    "stage_transitions", "parcours.analysis.transitions:stage_plan", stages=True,
    visits=("next_stage", "next_t_us"), cost="visits",
    tables=(Table("stage_transitions"),), description="stage → stage transitions"))
register(Analysis(
    "durations", "parcours.analysis.durations:plan", stages=True, visits=("next_t_us",), cost="visits",
    tables=(Table("stage_durations"),), description="time to the next stage and time in stage"))
register(Analysis(
    "conformance", "parcours.analysis.conformance:plan", stages=True,
    visits=("visit", "next_stage", "prev_stage_rank"), visit_queries=2, cost="visits",
    tables=(Table("backward_moves", key="conformance"),),
    description="conformance to the designed stage order: skips and backward moves"))
register(Analysis(
    "shapes", "parcours.analysis.shapes:plan", visits=("prev_stage_rank",), cost="visits",
    progress="analysing: journey shapes", tables=(Table("shapes"),),
    description="journeys per shape: stage order and channels"))
register(Analysis(
    "frictions", "parcours.analysis.frictions:derive", needs=("touchpoints", "transitions"), touchpoints=True,
    feedback=True, cost="results", tables=(Table("frictions"), Table("opportunities")),
    description="touchpoints ranked by friction score, and the opportunities drawn from them"))
# The KPIs are derived after the others and the feedback (feedback=True), from the touchpoint
# table, the funnel and the stage durations: computed with them, so that ``--analyses kpis``
# gives the KPIs of the full run.
register(Analysis(
    "kpis", "parcours.analysis.kpis_derive:derive", needs=("touchpoints", "funnel", "durations"), feedback=True,
    cost="results", tables=(Table("kpis"),),
    description="each KPI of the map measured: value, target, status (met, not met, not measurable and why)"))
