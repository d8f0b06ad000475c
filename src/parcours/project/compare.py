"""``compare``: before and after — two periods, two segments, or two versions of the map.

Each side is analysed with the same definitions (the side's journeys, whole). Per stage and
touchpoint, each indicator gets its value before and after, the change, the test fit for it
and its p-value (see :mod:`parcours.analysis.significance`):

| level | indicator | test |
|---|---|---|
| stage | ``conversion`` (converted / reached, ordered funnel) | two proportions |
| stage | ``reach`` (journeys with the stage / journeys) | two proportions |
| stage | ``duration_to_next_median`` (seconds) | Mann–Whitney U on the durations |
| touchpoint | ``exit_rate`` | two proportions |
| stage, touchpoint | ``nps`` / ``csat`` / ``ces`` (with feedback) | NPS z-test / two proportions / Welch |

A comparison makes dozens of tests: their p-values are adjusted together (Benjamini–Hochberg,
:func:`~parcours.analysis.significance.benjamini_hochberg`) and a row is ``significant`` when
its adjusted p-value ``p_adjusted`` is at most ``alpha``, so that at most 5 % of the changes
called significant are expected to be chance. compare.json says how many tests were made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from parcours.analysis import durations, filters, significance as S, transitions
from parcours.analysis.run import Options
from parcours.project.execute import run_all
from parcours.engine import columns as C
from parcours.engine.fetch import rows
from parcours.engine.prepare import Prepared, prepare
from parcours.errors import OptionError
from parcours.ingest import EventLog, read_events
from parcours.model import JourneyMap, load_map
from parcours.model.journey_map import text_in
from parcours.model.durations import parse_duration
from parcours.model.specs import CompareSpec, settle


@dataclass
class CompareResult:
    data: dict[str, Any]
    table: pa.Table = field(default_factory=pa.table)

    def save(self, out_dir: str | Path) -> dict[str, Path]:
        import json

        from parcours.spreadsheet import write_csv

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "compare.json").write_text(json.dumps(self.data, ensure_ascii=False, indent=2, default=str) + "\n",
                                          encoding="utf-8")
        write_csv(self.table, out / "compare.csv")  # names from the map: formula-safe for spreadsheets
        return {"compare.json": out / "compare.json", "compare.csv": out / "compare.csv"}


def _row(level: str, item: str, name: str | None, indicator: str, before: Any, after: Any, test: str,
         p: float | None, n_before: int | None, n_after: int | None) -> dict[str, Any]:
    change = (after - before) if (before is not None and after is not None) else None
    return {"level": level, "item": item, "name": name, "indicator": indicator, "before": before, "after": after,
            "change": change, "n_before": n_before, "n_after": n_after, "test": test, "p_value": p,
            "p_adjusted": None, "significant": False}  # both set by _adjust, over all the rows


def _adjust(rows: list[dict[str, Any]]) -> int:
    """Set each row's ``p_adjusted`` (Benjamini–Hochberg over all the rows' tests) and
    ``significant`` (``p_adjusted`` ≤ ``ALPHA``); returns the number of tests made."""
    for r, q in zip(rows, S.benjamini_hochberg([r["p_value"] for r in rows])):
        r["p_adjusted"] = q
        r["significant"] = q is not None and q <= S.ALPHA
    return sum(r["p_value"] is not None for r in rows)


def _side(log: EventLog, p: Prepared, *, period: str | None, segment: str | None, feedback_args: dict | None,
          lang: str, text_models: Any = None) -> dict[str, Any]:
    m, ev = p.map, p.table
    if segment:
        ev = filters.keep_journeys(ev, filters.segment_journeys(ev, m, segment, p.resolver()))
    start, end = filters.parse_period(period)
    if start or end:
        ev = filters.keep_journeys(ev, filters.period_journeys(ev, start, end))
    data, _ = run_all(p, ev, Options(lang=lang))
    durs: dict[str, list[float]] = {}
    if m.stages:
        for r in rows(log.con, durations.to_next_stage_values(transitions.stage_visits(ev, durations.VISITS_READ))):
            durs.setdefault(r["stage"], []).append(float(r["sec"]))
    if feedback_args:
        from parcours.ingest.feedback import read_feedback
        from parcours.project.feedback import measure

        import dataclasses

        import ibis

        fb_log = read_feedback(con=log.con, journey_map=m, **feedback_args)
        t = fb_log.table
        if start or end:  # the answers given in the period
            if start:
                t = t.filter(t._ts >= ibis.literal(start))
            if end:
                t = t.filter(t._ts < ibis.literal(end))
        if segment:  # the answers of the segment's customers
            who = ev.select(__c=ev[C.CUSTOMER]).distinct()
            t = t.semi_join(who, t._customer == who.__c)
        fb = measure(dataclasses.replace(fb_log, table=t), m, ev=ev, lang=lang, resolver_sources=log.roles,
                     text_model=text_models)
        data["feedback"] = fb.data
    return {"data": data, "durations": durs}


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


ALIASES = {"metric": "feedback_metric", "scale": "feedback_scale"}  # the keywords compare() took before its spec


def compare(events: str | Path | EventLog, journey_map: str | Path | JourneyMap | None = None,
            spec: CompareSpec | None = None, **settings: Any) -> CompareResult:
    """Compare two periods (``before``/``after``, e.g. ``2026-01-01..2026-03-31``), two segments
    (``segments=(a, b)``), or two versions of the map (``map_before`` against ``journey_map``).

    ``spec``: the settings (a :class:`~parcours.model.specs.CompareSpec`); each keyword
    argument is one of its fields and wins over the spec's; the map's ``source`` block and
    ``analysis.lang`` fill what neither gives."""
    settings = {ALIASES.get(k, k): v for k, v in settings.items()}
    m = load_map(journey_map) if isinstance(journey_map, (str, Path)) else (journey_map or JourneyMap())
    spec = settle(CompareSpec, spec, settings).resolve(m)
    sides, what = _sides(spec, m)
    log = events if isinstance(events, EventLog) else read_events(events, engine=spec.engine, **spec.read_args())
    gap = parse_duration(spec.journey_gap) if spec.journey_gap else None
    prepared: dict[int, Prepared] = {}  # sorted once per map, whatever the sides
    for mm, _, _ in sides:
        if id(mm) not in prepared:
            prepared[id(mm)] = prepare(log.con, log.table, mm, role_sources=log.roles, journey_gap_seconds=gap)
    text_models = None
    if spec.feedback_args():  # one text model for both sides: a change of sentiment is not a change of model
        from parcours.ingest.feedback import read_feedback
        from parcours.project.feedback import text_models_for

        text_models = text_models_for(read_feedback(con=log.con, journey_map=sides[1][0], **spec.feedback_args()))
    a, b = (_side(log, prepared[id(mm)], period=per, segment=seg, feedback_args=spec.feedback_args(), lang=spec.lang,
                  text_models=text_models)
            for mm, per, seg in sides)
    tp_names = {t.id: text_in(t.name, spec.lang) if t.name is not None else t.id
                for mm, _, _ in sides for t in mm.touchpoints}  # the 'after' map's name wins
    out = _stage_rows(a, b) + _touchpoint_rows(a, b, tp_names) + _feedback_rows(a, b, tp_names)
    tests = _adjust(out)
    data = {"compare": what, "alpha": S.ALPHA, "correction": "benjamini-hochberg", "tests": tests, "lang": spec.lang,
            "journeys": {"before": a["data"]["summary"]["journeys"], "after": b["data"]["summary"]["journeys"]},
            "rows": out}
    return CompareResult(data=data, table=pa.Table.from_pylist(out))


def _sides(spec: CompareSpec, m: JourneyMap) -> tuple[list[tuple[JourneyMap, str | None, str | None]], dict[str, Any]]:
    """The two sides (map, period, segment) and what compare.json says is compared; an
    :class:`OptionError` unless exactly one kind of comparison is asked."""
    before, after, pair = spec.before, spec.after, spec.segments
    modes = [bool(before or after), pair is not None, spec.map_before is not None]
    if sum(modes) != 1 or (modes[0] and not (before and after)):
        raise OptionError("say what to compare: --before and --after (two periods), --segments A,B, or --map-before",
                          hint="e.g. --before 2026-01-01..2026-03-31 --after 2026-04-01..2026-06-30")
    if modes[0]:
        return [(m, before, None), (m, after, None)], {"kind": "periods", "before": before, "after": after}
    if pair is not None:
        return [(m, None, pair[0]), (m, None, pair[1])], {"kind": "segments", "before": pair[0], "after": pair[1]}
    m0 = load_map(spec.map_before) if isinstance(spec.map_before, (str, Path)) else spec.map_before
    return [(m0, None, None), (m, None, None)], {"kind": "maps", "before": m0.id or "map before",
                                                 "after": m.id or "map after"}


def _stage_rows(a: dict, b: dict) -> list[dict[str, Any]]:
    out = []
    ja, jb = a["data"]["summary"]["journeys"], b["data"]["summary"]["journeys"]
    sa = {r["stage"]: r for r in a["data"].get("stages", [])}
    for r in b["data"].get("stages", []):
        x = sa.get(r["stage"])
        if x is None:
            continue
        if r["converted"] is not None and x["converted"] is not None:
            out.append(_row("stage", r["stage"], r["name"], "conversion", x["conversion_rate"], r["conversion_rate"],
                            "two proportions", S.proportions(x["converted"], x["reached"], r["converted"], r["reached"]),
                            x["reached"], r["reached"]))
        out.append(_row("stage", r["stage"], r["name"], "reach", x["share_of_journeys"], r["share_of_journeys"],
                        "two proportions", S.proportions(x["journeys"], ja, r["journeys"], jb), ja, jb))
        da, db = a["durations"].get(r["stage"], []), b["durations"].get(r["stage"], [])
        if da or db:
            out.append(_row("stage", r["stage"], r["name"], "duration_to_next_median", _median(da), _median(db),
                            "Mann-Whitney U", S.mann_whitney(da, db), len(da), len(db)))
    return out


def _touchpoint_rows(a: dict, b: dict, names: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    ta = {r["touchpoint"]: r for r in a["data"]["touchpoints"] if r["mapped"]}
    for r in b["data"]["touchpoints"]:
        x = ta.get(r["touchpoint"])
        if x is None or not r["mapped"]:
            continue
        out.append(_row("touchpoint", r["touchpoint"], names.get(r["touchpoint"]), "exit_rate", x["exit_rate"], r["exit_rate"],
                        "two proportions", S.proportions(x["exits"], x["journeys"], r["exits"], r["journeys"]),
                        x["journeys"], r["journeys"]))
    return out


def _feedback_rows(a: dict, b: dict, names: dict[str, str]) -> list[dict[str, Any]]:
    fa, fb = a["data"].get("feedback"), b["data"].get("feedback")
    if not fa or not fb:
        return []
    out = []
    for level, key in (("overall", None), ("stage", "stage"), ("touchpoint", "touchpoint")):
        ra = fa["overall_by_metric"] if key is None else fa[f"by_{key}"]
        rb = fb["overall_by_metric"] if key is None else fb[f"by_{key}"]
        index = {(x.get(key) if key else "all", x["metric"]): x for x in ra}
        for y in rb:
            item = y.get(key) if key else "all"
            x = index.get((item, y["metric"]))
            if x is None or x["value"] is None or y["value"] is None:
                continue
            metric = y["metric"]
            if metric == "nps":
                p, test = S.nps(x["promoters"], x["detractors"], x["responses"],
                                y["promoters"], y["detractors"], y["responses"]), "NPS z-test"
            elif metric == "csat":
                p, test = S.proportions(x["satisfied"], x["responses"], y["satisfied"], y["responses"]), "two proportions"
            else:
                p = (S.means(x["responses"], x["value"], (x["sd"] or 0) ** 2, y["responses"], y["value"], (y["sd"] or 0) ** 2)
                     if x.get("sd") is not None and y.get("sd") is not None else None)
                test = "Welch"
            name = names.get(item) if key == "touchpoint" else y.get("name")
            out.append(_row(level if key else "overall", item, name, metric, x["value"], y["value"], test, p,
                            x["responses"], y["responses"]))
    return out
