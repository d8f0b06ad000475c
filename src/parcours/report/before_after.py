"""compare.json for reading: the report's before/after table and ``parcours compare``'s printout
share these values, names and sentences, so both say the same thing the same way.

Shares are shown in %, their changes in points, durations as ``3,5 j`` / ``3.5 d``, stages,
touchpoints and segments by their names in the asked language, periods as dates of that
language, and every comparison says how many tests it made and how their p-values were
adjusted (Benjamini–Hochberg, see :mod:`parcours.analysis.significance`).

>>> value("conversion", 0.8973, "en"), value("conversion", -0.0217, "fr", change=True)
('89.7%', '-2,2\u202fpt')
>>> tests_sentence({"tests": 56, "alpha": 0.05, "correction": "benjamini-hochberg"}, "en")
'56 tests, false discovery rate (FDR) controlled at 5% (Benjamini–Hochberg)'
>>> sides({"compare": {"kind": "periods", "before": "2026-01-01..2026-03-31", "after": "2026-04-01..2026-06-30"}}, "fr")
('1er janv. 2026 – 31 mars 2026', '1er avr. 2026 – 30 juin 2026')
"""

from __future__ import annotations

from typing import Any

from parcours.model.journey_map import JourneyMap, text_in
from parcours.report import formats as F

SHARES = ("conversion", "reach", "exit_rate")  # 0–1
LOWER_IS_BETTER = ("exit_rate", "duration", "ces")
POINTS = f"{F.NBSP}pt"  # a change of a share, in percentage points: kept on the number's line

WORDS = {
    "fr": {
        "tests": "{tests}, taux de fausses découvertes (FDR) contrôlé à {level} (Benjamini–Hochberg)",
        "tests_raw": "{tests}, chacun à p < {level} (sans correction pour les tests multiples)",
        "test_one": "test", "test_many": "tests",
        "compared": "Comparaison de {kind}\u202f: {a} ({na}) et {b} ({nb})",
        "journey_one": "parcours", "journey_many": "parcours",
        "caption": "{compared}. {tests}\u202f: {s} sur {r}, en premier. p\u202f: le test seul\u202f; "
                   "p ajusté\u202f: compte tenu de tous les tests de la comparaison (significatif quand p ajusté ≤ {level}).",
        "change_one": "écart significatif", "change_many": "écarts significatifs",
        "p_adjusted": "p ajusté", "significant_when": "p ajusté ≤ {level}",
        "table": "Écarts significatifs", "none": "Aucun écart significatif.",
        "wrote": "{files} écrits dans {out} ({r}, {s})", "test": "Test",
        "row_one": "ligne", "row_many": "lignes", "significant_one": "significative", "significant_many": "significatives",
        "map_before": "la version précédente de la carte", "map_after": "cette version",
        "period": "{a} – {b}",
        "two proportions": "deux proportions", "Mann-Whitney U": "U de Mann-Whitney", "NPS z-test": "test z du NPS",
        "Welch": "Welch",
    },
    "en": {
        "tests": "{tests}, false discovery rate (FDR) controlled at {level} (Benjamini–Hochberg)",
        "tests_raw": "{tests}, each at p < {level} (no correction for multiple tests)",
        "test_one": "test", "test_many": "tests",
        "compared": "Comparing {kind}: {a} ({na}) and {b} ({nb})",
        "journey_one": "journey", "journey_many": "journeys",
        "caption": "{compared}. {tests}: {s} out of {r}, first. p: the test alone; "
                   "adjusted p: given all the tests of the comparison (significant when adjusted p ≤ {level}).",
        "change_one": "significant change", "change_many": "significant changes",
        "p_adjusted": "adjusted p", "significant_when": "adjusted p ≤ {level}",
        "table": "Significant changes", "none": "No significant change.",
        "wrote": "Wrote {files} to {out} ({r}, {s})", "test": "Test",
        "row_one": "row", "row_many": "rows", "significant_one": "significant", "significant_many": "significant",
        "map_before": "the earlier version of the map", "map_after": "this version",
        "period": "{a} – {b}",
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def counted(n: Any, noun: str, lang: str) -> str:
    """``n`` and the noun of :data:`WORDS` (``row``, ``test``...), singular or plural as ``lang`` wants it."""
    w = words(lang)
    return F.count(n, lang, w[f"{noun}_one"], w[f"{noun}_many"])


def test_name(test: str, lang: str) -> str:
    """compare.json's test name (English, as in compare.csv) in ``lang``."""
    return words(lang).get(test, test)


def value(indicator: str, v: Any, lang: str, change: bool = False) -> str:
    """A compare.json value as a reader expects it: shares in % (changes in points),
    durations, NPS, CSAT (% satisfied), CES."""
    if v is None:
        return "–"
    sign = "+" if change and v > 0 else ""
    if indicator in SHARES:
        return sign + (F.number(100 * v, lang, 1) + POINTS if change else F.pct(v, lang, 1))
    if indicator == "csat":  # % satisfied (0–100)
        return sign + F.number(v, lang, 1) + (POINTS if change else F.percent(lang))
    if indicator.startswith("duration"):
        return ("-" if change and v < 0 else sign) + F.duration(abs(v), lang)  # "-" as the other changes
    return sign + F.number(v, lang, 1)


def trend(indicator: str, change: float | None) -> str:
    """``better``, ``worse`` or ``""``: a longer duration, a higher exit rate or effort is worse."""
    if not change:
        return ""
    return "better" if (change > 0) != indicator.startswith(LOWER_IS_BETTER) else "worse"


def p_text(p: float | None, lang: str) -> str:
    """``0,012``, ``< 0,001`` or ``–`` (no test: a side without data)."""
    if p is None:
        return "–"
    return "< " + F.number(0.001, lang, 3) if p < 0.001 else F.number(p, lang, 3)


def level(compare: dict[str, Any], lang: str) -> str:
    """The significance level in %: ``5 %`` / ``5%``."""
    return F.pct(compare.get("alpha", 0.05), lang)


def tests_sentence(compare: dict[str, Any], lang: str) -> str:
    """How many tests the comparison made and how they were judged (a compare.json written
    before the correction says it had none)."""
    n = compare.get("tests")
    if n is None:
        n = sum(r.get("p_value") is not None for r in compare.get("rows", []))
    key = "tests" if compare.get("correction") == "benjamini-hochberg" else "tests_raw"
    return words(lang)[key].format(tests=counted(n, "test", lang), level=level(compare, lang))


def _period(text: Any, lang: str) -> str:
    """``2026-01-01..2026-03-31`` as ``1er janv. 2026 – 31 mars 2026``; other text as it is."""
    a, dots, b = str(text).partition("..")
    return words(lang)["period"].format(a=F.date(a, lang), b=F.date(b, lang)) if dots else str(text)


def sides(compare: dict[str, Any], lang: str, m: JourneyMap | None = None) -> tuple[str, str]:
    """The two sides compared as a reader names them: periods as dates of ``lang``, segments by
    their names on the map, map versions as the earlier one and this one (with their ids when
    they differ)."""
    c = compare.get("compare", {})
    a, b = c.get("before"), c.get("after")
    if c.get("kind") == "periods":
        return _period(a, lang), _period(b, lang)
    if c.get("kind") == "segments":
        def name(seg_id: Any) -> str:
            seg = m.segment(str(seg_id)) if m is not None else None
            return (text_in(seg.name, lang) if seg is not None and seg.name else None) or str(seg_id)
        return name(a), name(b)
    if c.get("kind") == "maps":
        w = words(lang)
        if a == b:
            return w["map_before"], w["map_after"]
        return f"{w['map_before']} ({a})", f"{w['map_after']} ({b})"
    return str(a), str(b)


def compared_sentence(compare: dict[str, Any], lang: str, L: dict[str, str], m: JourneyMap | None = None) -> str:
    """``Comparing two periods: 1 Jan 2026 – 31 Mar 2026 (288 journeys) and … (312 journeys)``."""
    c, n = compare.get("compare", {}), compare.get("journeys", {})
    kind = L.get(f"kind_{c.get('kind')}", c.get("kind"))
    a, b = sides(compare, lang, m)

    def journeys(k: int | None) -> str:
        return "–" if k is None else counted(k, "journey", lang)
    return words(lang)["compared"].format(kind=kind, a=a, b=b, na=journeys(n.get("before")), nb=journeys(n.get("after")))


def item_names(m: JourneyMap | None, lang: str) -> dict[tuple[str, str], str]:
    """(level, id) → the stage's or touchpoint's name in ``lang``."""
    names = {("stage", s.id): text_in(s.name, lang) for s in (m.stages if m else [])}
    names.update({("touchpoint", t.id): text_in(t.name, lang) if t.name is not None else t.id
                  for t in (m.touchpoints if m else [])})
    return names


def where(r: dict[str, Any], names: dict[tuple[str, str], str], L: dict[str, str]) -> str:
    """A row's place: the map's name in the asked language, else compare.json's, else its id."""
    if r["level"] == "overall":
        return L["overall"]
    return names.get((r["level"], r["item"])) or r.get("name") or r["item"]


def ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Significant changes first, then by adjusted p-value (the p-value on an older compare.json)."""
    def q(r: dict[str, Any]) -> float:
        p = r.get("p_adjusted", r.get("p_value"))
        return 2.0 if p is None else p
    return sorted(rows, key=lambda r: (not r["significant"], q(r), r.get("p_value") or 2.0))


def before_after(compare: dict[str, Any], lang: str, L: dict[str, str], m: JourneyMap | None = None) -> dict[str, Any]:
    """compare.json as the report's before/after table: significant changes first, then by
    adjusted p-value; stages and touchpoints named from the map in the report's language."""
    names = item_names(m, lang)
    rows = ordered(compare.get("rows", []))
    c, n, w = compare.get("compare", {}), compare.get("journeys", {}), words(lang)
    significant = sum(r["significant"] for r in rows)
    tests = tests_sentence(compare, lang)
    a, b = sides(compare, lang, m)
    return {"kind": c.get("kind"), "before": a, "after": b,
            "journeys_before": F.number(n.get("before"), lang), "journeys_after": F.number(n.get("after"), lang),
            "alpha": compare.get("alpha"), "significant": significant, "tests": tests,
            "adjusted": "p_adjusted" in (rows[0] if rows else {}), "p_adjusted": w["p_adjusted"],
            "significant_when": w["significant_when"].format(level=F.number(compare.get("alpha", 0.05), lang, 2)),
            "caption": w["caption"].format(compared=compared_sentence(compare, lang, L, m), tests=tests,
                                           s=counted(significant, "change", lang), r=F.number(len(rows), lang),
                                           level=F.number(compare.get("alpha", 0.05), lang, 2)),
            "rows": [{
                "where": where(r, names, L), "level": r["level"],
                "indicator": L.get(f"ind_{r['indicator']}", r["indicator"]),
                "before": value(r["indicator"], r["before"], lang), "after": value(r["indicator"], r["after"], lang),
                "change": value(r["indicator"], r["change"], lang, change=True), "trend": trend(r["indicator"], r["change"]),
                "n": f"{F.number(r['n_before'], lang)} / {F.number(r['n_after'], lang)}",
                "p": p_text(r["p_value"], lang), "q": p_text(r.get("p_adjusted"), lang),
                "significant": r["significant"]} for r in rows]}
