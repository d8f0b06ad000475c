"""``feedback``: survey answers and verbatims measured on the map, alone or with journeys.

Reads the feedback, attaches each response to a stage and touchpoint (its own, or where the
customer's journey was at response time when events are given), and computes NPS, CSAT and
CES overall, per stage, per touchpoint, and per segment and period when asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from parcours.analysis import feedback as F
from parcours.analysis import verbatims as V
from parcours.analysis.filters import segment_journeys
from parcours.analysis.scores import MIN_RESPONSES, Counts, figure
from parcours.engine import columns as C
from parcours.engine.fetch import rows
from parcours.engine.rules import ColumnResolver, where_predicate
from parcours.errors import OptionError
from parcours.ingest.feedback import COMMENT, LANGUAGE, FeedbackLog, read_feedback
from parcours.model import JourneyMap, load_map
from parcours.model.durations import parse_duration
from parcours.model.specs import FeedbackSpec, settle
from parcours.model.journey_map import text_in
from parcours.project.map_source import source_defaults

PERIODS = ("day", "week", "month", "quarter", "year")
TEXT_MODELS = "text_models"  # the folder of a results folder that holds the adapted text models


@dataclass
class FeedbackResult:
    """``data`` (the content of ``feedback.json``), tables, and the quarantined rows."""

    data: dict[str, Any]
    tables: dict[str, pa.Table] = field(default_factory=dict)
    quarantine: pa.Table | None = None
    text_models: dict[str, Any] = field(default_factory=dict)  # language → the model adapted to the scored comments

    def save(self, out_dir: str | Path) -> dict[str, Path]:
        import json

        from parcours.spreadsheet import write_csv

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = {"feedback.json": out / "feedback.json"}
        written["feedback.json"].write_text(json.dumps(self.data, ensure_ascii=False, indent=2, default=str) + "\n",
                                            encoding="utf-8")
        for name, table in self.tables.items():
            write_csv(table, out / f"{name}.csv")  # verbatims are customers' words: formula-safe
            written[f"{name}.csv"] = out / f"{name}.csv"
        if self.quarantine is not None:
            write_csv(self.quarantine, out / "feedback_quarantine.csv")
            written["feedback_quarantine.csv"] = out / "feedback_quarantine.csv"
        if self.text_models or (out / TEXT_MODELS).is_dir():  # to score other comments with: --text-model
            from parcours.text.adapt import save

            for path in save(self.text_models, out / TEXT_MODELS):
                written[f"{TEXT_MODELS}/{path.name}"] = path
        return written


def _counts(r: dict[str, Any]) -> Counts:
    return Counts(responses=int(r["responses"] or 0), promoters=int(r["promoters"] or 0),
                  detractors=int(r["detractors"] or 0), top=int(r["top"] or 0), total=float(r["total"] or 0),
                  total_sq=float(r["total_sq"] or 0))


def _figures(con: Any, fb: ir.Table, log: FeedbackLog, by: list[str] | None, min_responses: int) -> list[dict[str, Any]]:
    out = []
    for metric in log.metrics:
        for r in rows(con, F.metric_counts(fb, metric, log.scales[metric], by)):
            rec = {k: r[k] for k in (by or [])}
            rec.update({"metric": metric, **figure(metric, _counts(r), min_responses=min_responses)})
            out.append(rec)
    return out


def measure(log: FeedbackLog, m: JourneyMap, *, ev: ir.Table | None = None, window: str | None = None,
            by_segment: bool = False, by_period: str | None = None, min_responses: int = MIN_RESPONSES,
            lang: str = "en", resolver_sources: dict[str, str] | None = None,
            groups: dict[str, ir.Table] | None = None, full: ir.Table | None = None,
            text_model: str | Path | V.TextModels | None = None) -> FeedbackResult:
    """Figures of a read feedback log (``ev``: the prepared events, to attach responses to journeys).

    ``text_model``: "adapt" (the default: learn from the scored comments where that does
    better, :mod:`parcours.text.adapt`), "shipped", a folder of models an earlier run saved
    (``text_models/`` of its results) to score these comments with, or the models
    :func:`text_models_for` learnt on a larger set of responses.

    ``groups`` (name -> journeys, as a breakdown makes them) adds ``by_group``: the same
    figures, verbatims, themes and emotion curve computed on the responses attached to each
    group's journeys, side by side."""
    con = log.con
    window_s = F.DEFAULT_WINDOW_SECONDS if not window else parse_duration(window)
    if by_period is not None and by_period not in PERIODS:
        raise OptionError(f"--by-period {by_period!r}", hint=f"use one of: {', '.join(PERIODS)}")
    fb = F.attach(log.table, m, ev, window_seconds=window_s, backend=con.name)
    if con.name == "duckdb":
        fb = con.create_table(f"_parcours_feedback_attached_{id(fb)}", fb, temp=True)
    records = _records(con, fb)  # read once: to learn the text models and for the whole block
    models = _text_models(con, fb, log, text_model, records)
    data, verbatims = _block(con, fb, log, m, lang, min_responses, models, records)
    data["text_model"] = models.summary()
    attached = {r["a"] or "none": int(r["n"]) for r in rows(con, fb.group_by(a=fb.attached).agg(n=fb.count()))}
    data["attachment"] = {"given": attached.get("given", 0), "journey": attached.get("journey", 0),
                          "unattached": attached.get("none", 0),
                          "window_seconds": window_s if ev is not None else None}
    tables = {"feedback_by_stage": pa.Table.from_pylist(data["by_stage"]),
              "feedback_by_touchpoint": pa.Table.from_pylist(data["by_touchpoint"])}
    if by_segment:
        data["by_segment"], skipped = _by_segment(con, fb, log, m, ev, min_responses, resolver_sources, full)
        if skipped:
            data["by_segment_skipped"] = skipped
        tables["feedback_by_segment"] = pa.Table.from_pylist(data["by_segment"])
    if by_period:
        f = fb.filter(fb[F.F_TS].notnull())
        f = f.mutate(period=f[F.F_TS].truncate({"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}[by_period])
                     .date().cast("string"))
        data["by_period"] = sorted(_figures(con, f, log, ["period"], min_responses), key=lambda r: (r["metric"], r["period"]))
        data["period_unit"] = by_period
        tables["feedback_by_period"] = pa.Table.from_pylist(data["by_period"])
    if groups is not None:
        data["by_group"] = []
        for name, journeys in groups.items():
            sub = fb.semi_join(journeys, fb[C.JOURNEY] == journeys[C.JOURNEY])
            b, _ = _block(con, sub, log, m, lang, min_responses, models)
            data["by_group"].append({"group": name, **{k: v for k, v in b.items() if k not in ("metrics", "scales")}})
    tables["feedback_responses"] = _responses(con, log, fb, verbatims)
    tables["feedback_themes"] = _themes_table(verbatims.themes)
    tables["feedback_aspects"] = _aspects_table(verbatims.aspects)
    report = log.report
    data["input"] = {"source": report.source, "format": report.format, "read": report.read,
                     "accepted": report.accepted, "quarantined": report.quarantined,
                     "columns": report.detection.ordered(), "detected_schema": report.detection.schema,
                     "how": dict(report.detection.how), "detection": report.detection.describe(),
                     "notes": list(report.notes)}
    return FeedbackResult(data=data, tables=tables, quarantine=report.quarantine_table(),
                          text_models=models.adapted())


def text_models_for(log: FeedbackLog, text_model: str | Path | None = None) -> V.TextModels:
    """The text models learnt on all the accepted responses of ``log``: to measure several
    parts of them (periods, segments) with the same models."""
    return _text_models(log.con, log.table, log, text_model)


def _text_models(con: Any, fb: ir.Table, log: FeedbackLog, text_model: Any,
                 records: list[dict[str, Any]] | None = None) -> V.TextModels:
    """The run's text models, learnt once on all its responses (the groups use the same);
    ``records``: the responses already read (:func:`_records`)."""
    if isinstance(text_model, V.TextModels):
        return text_model
    if records is None:
        records = _records(con, fb)
    choice = "adapt" if text_model is None else text_model
    if isinstance(choice, str) and choice in ("adapt", "shipped"):
        return V.learn(records, log.scales, mode=choice)
    from parcours.text.adapt import load_folder

    folder = Path(choice)
    if folder.is_dir() and (folder / TEXT_MODELS).is_dir():
        folder = folder / TEXT_MODELS  # a results folder was given
    given = load_folder(folder) if folder.is_dir() else {}
    if not given:
        found = "no such folder" if not folder.is_dir() else "no sentiment_<language>.npz in it"
        raise OptionError(f"--text-model {text_model}: {found}",
                          hint="give adapt, shipped, or the text_models folder a run wrote "
                               "(parcours feedback ... --out R: R/text_models)")
    return V.learn(records, log.scales, mode="given", given=given)


def _block(con: Any, fb: ir.Table, log: FeedbackLog, m: JourneyMap, lang: str, min_responses: int,
           models: V.TextModels | None = None, records: list[dict[str, Any]] | None = None
           ) -> tuple[dict[str, Any], V.Verbatims]:
    """Overall, per stage and per touchpoint figures, verbatims, themes and emotion curves of
    the responses ``fb`` (all of them, or a group's)."""
    overall = _figures(con, fb, log, None, min_responses)
    data: dict[str, Any] = {
        "metrics": log.metrics,
        "scales": {k: list(v) for k, v in log.scales.items()},
        "overall": overall[0] if overall else None,
        "overall_by_metric": overall,
        "min_responses": min_responses,
    }
    names = {s.id: text_in(s.name, lang) for s in m.stages}
    order = {s.id: i for i, s in enumerate(m.stages)}
    by_stage = _figures(con, fb.filter(fb[F.F_STAGE].notnull()), log, [F.F_STAGE], min_responses)
    by_stage = [{"stage": r.pop(F.F_STAGE), "name": None, **r} for r in by_stage]
    for r in by_stage:
        r["name"] = names.get(r["stage"], r["stage"])
    by_stage.sort(key=lambda r: (r["metric"], order.get(r["stage"], len(order)), r["stage"]))
    tps = {t.id: t for t in m.touchpoints}
    by_tp = _figures(con, fb.filter(fb[F.F_TOUCHPOINT].notnull()), log, [F.F_TOUCHPOINT], min_responses)
    by_tp = [{"touchpoint": r.pop(F.F_TOUCHPOINT), **r} for r in by_tp]
    for r in by_tp:
        t = tps.get(r["touchpoint"])
        r["stage"] = t.stage if t else None
    by_tp.sort(key=lambda r: (r["metric"], -(r["responses"]), r["touchpoint"]))
    data["by_stage"], data["by_touchpoint"] = by_stage, by_tp
    verbatims = V.analyse(records if records is not None else _records(con, fb), log.scales, text_models=models,
                          lang=lang)
    data["verbatims"] = verbatims.summary
    data["themes"] = verbatims.themes
    data["aspects"] = verbatims.aspects
    if m.stages:
        from parcours.analysis.emotion import emotion_by_touchpoint, emotion_curve

        data["emotion_curve"] = emotion_curve(data, m, lang=lang, min_responses=min_responses,
                                              sentiment=verbatims.sentiment_points["stage"])
        data["emotion_by_touchpoint"] = emotion_by_touchpoint(data, m, lang=lang, min_responses=min_responses,
                                                              sentiment=verbatims.sentiment_points["touchpoint"])
    return data, verbatims


def _by_segment(con: Any, fb: ir.Table, log: FeedbackLog, m: JourneyMap, ev: ir.Table | None, min_responses: int,
                resolver_sources: dict[str, str] | None, full: ir.Table | None = None
                ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """A response is in a segment when its journey is (with events), else when its own
    attributes meet the segment's conditions. Without events, a segment defined by behaviour
    cannot be measured: it is listed in the second value, with the reason."""
    if not m.segments:
        raise OptionError("--by-segment: the map declares no segment", hint="add segments to the map")
    out, skipped = [], []
    for i, s in enumerate(m.segments):
        if ev is not None:
            journeys = segment_journeys(ev, m, s.id, ColumnResolver(ev, resolver_sources), full=full)
            sub = fb.semi_join(journeys, fb[C.JOURNEY] == journeys[C.JOURNEY])
        elif s.behaviour:
            skipped.append({"segment": s.id, "reason": "defined by behaviour: give the event log too "
                                                       "(parcours analyze EVENTS --feedback FILE)"})
            continue
        else:
            sub = fb.filter(where_predicate(s.where or {}, ColumnResolver(fb), f"segments[{i}]"))
        for r in _figures(con, sub, log, None, min_responses):
            out.append({"segment": s.id, **r})
    return out, skipped


def _records(con: Any, fb: ir.Table) -> list[dict[str, Any]]:
    t = fb.select(seq=fb[F.F_SEQ], comment=fb[COMMENT], score=fb[F.F_SCORE].cast("float64"), metric=fb[F.F_METRIC],
                  language=fb[LANGUAGE], stage=fb[F.F_STAGE], touchpoint=fb[F.F_TOUCHPOINT],
                  period=fb[F.F_TS].truncate("M").date().cast("string")).order_by("seq")
    return rows(con, t)


def _themes_table(themes: list[dict[str, Any]]) -> pa.Table:
    """One row per theme; lists joined with `` | `` (stages and touchpoints as ``id (comments)``)."""
    out = []
    for t in themes:
        out.append({
            **{k: v for k, v in t.items() if k not in ("key_terms", "stages", "touchpoints", "quotes")},
            "key_terms": " | ".join(t["key_terms"]),
            "stages": " | ".join(f"{x['stage']} ({x['comments']})" for x in t["stages"]),
            "touchpoints": " | ".join(f"{x['touchpoint']} ({x['comments']})" for x in t["touchpoints"]),
            "quotes": " | ".join(t["quotes"]),
        })
    columns = ["theme", "kind", "key_terms", "size", "share_of_comments", "detractors", "share_of_detractor_comments",
               "detractor_share", "metric", "mean_score", "mean_satisfaction", "stages", "touchpoints", "quotes", "z"]
    if not out:
        return pa.table({c: pa.array([], pa.string()) for c in columns})
    return pa.Table.from_pylist(out).select(columns)


def _aspects_table(aspects: list[dict[str, Any]]) -> pa.Table:
    """One row per aspect spoken of; where it is said as ``id (comments)``, its periods as
    ``period: comments (negative)``, quotes joined with `` | ``."""
    columns = ["aspect", "name", "comments", "share_of_comments", "share_ci_low", "share_ci_high", "labelled",
               "negative", "negative_share", "negative_ci_low", "negative_ci_high", "mean_sentiment",
               "detractor_comments", "share_of_detractor_comments", "stages", "touchpoints", "by_period", "quotes"]
    out = [{**{k: v for k, v in a.items() if k not in ("stages", "touchpoints", "by_period", "quotes")},
            "stages": " | ".join(f"{x['stage']} ({x['comments']})" for x in a["stages"]),
            "touchpoints": " | ".join(f"{x['touchpoint']} ({x['comments']})" for x in a["touchpoints"]),
            "by_period": " | ".join(f"{x['period']}: {x['comments']} ({x['negative']})" for x in a["by_period"]),
            "quotes": " | ".join(a["quotes"])} for a in aspects]
    if not out:
        return pa.table({c: pa.array([], pa.string()) for c in columns})
    return pa.Table.from_pylist(out).select(columns)


def _responses(con: Any, log: FeedbackLog, fb: ir.Table, verbatims: V.Verbatims) -> pa.Table:
    """Every input row, in input order, with what Parcours made of it (or why it was quarantined)."""
    raw = log.checked
    inputs = log.raw.data_columns
    j = raw.left_join(fb, raw.__seq == fb[F.F_SEQ])
    added = {"metric": fb[F.F_METRIC], "stage": fb[F.F_STAGE], "touchpoint": fb[F.F_TOUCHPOINT],
             "journey": fb[C.JOURNEY], "attached": fb.attached, "quarantine_reason": raw.__reason}
    # An added column never hides an input column of the same name: it takes a suffix.
    added = {(k if k not in inputs else f"{k}_parcours"): v for k, v in added.items()}
    t = j.select(*[raw[c] for c in inputs], __seq=raw.__seq, **added)
    table = con.to_pyarrow(t.order_by("__seq"))
    position = {seq: i for i, seq in enumerate(verbatims.seq)}
    at = [position.get(seq) for seq in table.column("__seq").to_pylist()]
    for name in V.ROW_COLUMNS:
        values = verbatims.rows[name]
        column = name if name not in inputs else f"{name}_parcours"
        table = table.append_column(column, pa.array([None if i is None else values[i] for i in at]))
    return table.drop(["__seq"])


def feedback(source: str | Path | ir.Table | FeedbackLog, journey_map: str | Path | JourneyMap | None = None,
             spec: FeedbackSpec | None = None, **settings: Any) -> FeedbackResult:
    """Measure survey answers and verbatims on the map.

    ``spec``: the settings (a :class:`~parcours.model.specs.FeedbackSpec`); each keyword
    argument is one of its fields (``events=`` an event file or EventLog, to attach responses
    to journeys; ``by_segment=True``, ``lang="fr"``...) and wins over the spec's. The map's
    ``source.timezone`` and ``analysis.lang`` fill what neither gives.

    >>> r = parcours.feedback("answers.csv", "map.yaml", events="events.csv")  # doctest: +SKIP
    """
    m = load_map(journey_map) if isinstance(journey_map, (str, Path)) else (journey_map or JourneyMap())
    spec = settle(FeedbackSpec, spec, settings).resolve(m)
    ev, sources, con = _journeys(spec.events, m, spec.engine)
    log = source if isinstance(source, FeedbackLog) else read_feedback(source, m, con=con, **spec.read_args())
    return measure(log, m, ev=ev, window=spec.window, by_segment=spec.by_segment, by_period=spec.by_period,
                   min_responses=spec.min_responses, lang=spec.lang, resolver_sources=sources,
                   text_model=spec.text_model)


def _journeys(events: Any, m: JourneyMap, engine: str | None) -> tuple[ir.Table | None, dict[str, str] | None, Any]:
    """The prepared events (read with the map's ``source`` block), their column roles and
    connection; ``(None, None, None)`` without events."""
    if events is None:
        return None, None, None
    from parcours.engine.prepare import prepare
    from parcours.ingest import EventLog, read_events

    d = source_defaults(m)
    gap_text = d.pop("journey_gap")
    gap = parse_duration(gap_text) if gap_text else None
    log_ev = events if isinstance(events, EventLog) else read_events(events, engine=engine, **d)
    p = prepare(log_ev.con, log_ev.table, m, role_sources=log_ev.roles, journey_gap_seconds=gap)
    return p.table, log_ev.roles, log_ev.con


__all__ = ["FeedbackResult", "feedback", "measure", "text_models_for"]
