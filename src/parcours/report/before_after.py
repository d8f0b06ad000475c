"""compare.json for reading: the report's before/after table and ``parcours compare``'s printout
share these values, names and sentences, so both say the same thing the same way.

Shares are shown in %, their changes in points, durations as ``3,5 j`` / ``3.5 d``, stages and
touchpoints by their names in the asked language, and every comparison says how many tests
it made and how their p-values were adjusted (Benjamini–Hochberg, see
:mod:`parcours.analysis.significance`).

>>> value("conversion", 0.8973, "en"), value("conversion", -0.0217, "en", change=True)
('89.7%', '-2.2 pt')
>>> tests_sentence({"tests": 56, "alpha": 0.05, "correction": "benjamini-hochberg"}, "en")
'56 tests, false discovery rate (FDR) controlled at 5% (Benjamini–Hochberg)'
"""

from __future__ import annotations

from typing import Any

from parcours.model.journey_map import JourneyMap, text_in
from parcours.report import formats as F

SHARES = ("conversion", "reach", "exit_rate")  # 0–1
LOWER_IS_BETTER = ("exit_rate", "duration", "ces")

WORDS = {
    "fr": {
        "tests": "{n} tests, taux de fausses découvertes (FDR) contrôlé à {level} (Benjamini–Hochberg)",
        "tests_raw": "{n} tests, chacun à p < {level} (sans correction pour les tests multiples)",
        "compared": "Comparaison de {kind} : {a} ({na} parcours) et {b} ({nb} parcours)",
        "caption": "{compared}. {tests} : {s} écarts significatifs sur {r}, en premier. p : le test seul ; "
                   "p ajusté : compte tenu de tous les tests de la comparaison (significatif quand p ajusté ≤ {level}).",
        "p_adjusted": "p ajusté", "significant_when": "p ajusté ≤ {level}",
        "table": "Écarts significatifs", "none": "Aucun écart significatif.",
        "wrote": "{files} écrits dans {out} ({r} lignes, {s} significatives)", "test": "Test",
        "two proportions": "deux proportions", "Mann-Whitney U": "U de Mann-Whitney", "NPS z-test": "test z du NPS",
        "Welch": "Welch",
    },
    "en": {
        "tests": "{n} tests, false discovery rate (FDR) controlled at {level} (Benjamini–Hochberg)",
        "tests_raw": "{n} tests, each at p < {level} (no correction for multiple tests)",
        "compared": "Comparing {kind}: {a} ({na} journeys) and {b} ({nb} journeys)",
        "caption": "{compared}. {tests}: {s} significant changes out of {r}, first. p: the test alone; "
                   "adjusted p: given all the tests of the comparison (significant when adjusted p ≤ {level}).",
        "p_adjusted": "adjusted p", "significant_when": "adjusted p ≤ {level}",
        "table": "Significant changes", "none": "No significant change.",
        "wrote": "Wrote {files} to {out} ({r} rows, {s} significant)", "test": "Test",
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


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
        return sign + (F.number(100 * v, lang, 1) + " pt" if change else F.pct(v, lang, 1))
    if indicator == "csat":  # % satisfied (0–100)
        return sign + F.number(v, lang, 1) + (" pt" if change else f"{F.NBSP}%" if lang == "fr" else "%")
    if indicator.startswith("duration"):
        return ("−" if change and v < 0 else sign) + F.duration(abs(v), lang)
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
    return words(lang)[key].format(n=F.number(n, lang), level=level(compare, lang))


def compared_sentence(compare: dict[str, Any], lang: str, L: dict[str, str]) -> str:
    """``Comparing two periods: A (n journeys) and B (n journeys)``."""
    c, n = compare.get("compare", {}), compare.get("journeys", {})
    kind = L.get(f"kind_{c.get('kind')}", c.get("kind"))
    return words(lang)["compared"].format(kind=kind, a=c.get("before"), b=c.get("after"),
                                          na=F.number(n.get("before"), lang), nb=F.number(n.get("after"), lang))


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
    return {"kind": c.get("kind"), "before": c.get("before"), "after": c.get("after"),
            "journeys_before": F.number(n.get("before"), lang), "journeys_after": F.number(n.get("after"), lang),
            "alpha": compare.get("alpha"), "significant": significant, "tests": tests,
            "adjusted": "p_adjusted" in (rows[0] if rows else {}), "p_adjusted": w["p_adjusted"],
            "significant_when": w["significant_when"].format(level=F.number(compare.get("alpha", 0.05), lang, 2)),
            "caption": w["caption"].format(compared=compared_sentence(compare, lang, L), tests=tests,
                                           s=F.number(significant, lang), r=F.number(len(rows), lang),
                                           level=F.number(compare.get("alpha", 0.05), lang, 2)),
            "rows": [{
                "where": where(r, names, L), "level": r["level"],
                "indicator": L.get(f"ind_{r['indicator']}", r["indicator"]),
                "before": value(r["indicator"], r["before"], lang), "after": value(r["indicator"], r["after"], lang),
                "change": value(r["indicator"], r["change"], lang, change=True), "trend": trend(r["indicator"], r["change"]),
                "n": f"{F.number(r['n_before'], lang)} / {F.number(r['n_after'], lang)}",
                "p": p_text(r["p_value"], lang), "q": p_text(r.get("p_adjusted"), lang),
                "significant": r["significant"]} for r in rows]}
