"""The demo and compare print in one language (issue 23, §3 and §4).

``parcours demo`` prints in the demo map's language (French) unless ``--lang`` asks another,
its closing lines included, and its "Next" commands run as printed: ``.venv/bin/parcours``
when the virtual environment is not active, ``parcours`` when it is, ``--lang`` repeated.
``parcours compare`` prints shares in %, durations in days/hours, the n beside each row,
raw and adjusted p and the number of tests, stages, touchpoints and segments by name, with
the number formats of its language and no word of the other. Every printed table row is
checked against figures formatted here, by rules written out in this file, from compare.json
and, for the journeys counted, from the generated events themselves (pandas)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from parcours.cli import demo as demo_cli
from parcours.cli import output
from parcours.cli.app import app
from parcours.cli.labels import WORDS as CLI_WORDS
from parcours.report.before_after import WORDS as BA_WORDS
from parcours.report.labels import labels

NNBSP = "\u202f"
OTHER = {"fr": "en", "en": "fr"}


# -- the language's number formats, written out independently of report/formats.py --------------

def num(v: float, lang: str, digits: int = 0) -> str:
    text = format(round(v, digits) + 0.0, f",.{digits}f")  # + 0.0: no "-0"
    return text.replace(",", NNBSP).replace(".", ",") if lang == "fr" else text


def share(v: float, lang: str) -> str:
    return num(100 * v, lang, 1) + (f"{NNBSP}%" if lang == "fr" else "%")


def dur(seconds: float, lang: str) -> str:
    s = abs(seconds)
    for size, fr, en in ((86400, "j", "d"), (3600, "h", "h"), (60, "min", "min")):
        if s >= size:
            return f"{num(s / size, lang, 1)}{NNBSP}{fr if lang == 'fr' else en}"
    return f"{num(s, lang)}{NNBSP}s"


def shown(indicator: str, v: float | None, lang: str, change: bool = False) -> str:
    if v is None:
        return "–"
    plus = "+" if change and v > 0 else ""
    if indicator in ("conversion", "reach", "exit_rate"):
        return plus + (num(100 * v, lang, 1) + f"{NNBSP}pt" if change else share(v, lang))
    if indicator.startswith("duration"):
        return (("-" if v < 0 else "+" if v > 0 else "") if change else "") + dur(v, lang)
    if indicator == "csat":
        return plus + num(v, lang, 1) + (f"{NNBSP}pt" if change else f"{NNBSP}%" if lang == "fr" else "%")
    return plus + num(v, lang, 1)


def p_shown(p: float | None, lang: str) -> str:
    return "–" if p is None else ("< " + num(0.001, lang, 3)) if p < 0.001 else num(p, lang, 3)


def unwanted_numbers(text: str, lang: str) -> list[str]:
    """Numbers written as the other language writes them, and raw floats: more than three
    decimals (p-values have three, shares one) or an exponent."""
    bad = re.findall(r"\d[.,]\d{4,}|\d(?:\.\d+)?e[+-]\d", text)
    if lang == "fr":
        bad += re.findall(r"\d\.\d", text)  # a decimal point
        bad += re.findall(r"\d,\d{3}(?:,\d{3})*(?![\d,])(?=\s+(?:parcours|tests|lignes))", text)
    else:
        bad += re.findall(rf"\d{NNBSP}\d{{3}}", text) + re.findall(r"\d,\d{1,2}(?!\d)", text)
    return bad


def pieces(texts) -> set[str]:
    """The fixed words of a set of texts, placeholders and markup taken out."""
    out = set()
    for text in texts:
        for piece in re.split(r"\{[^}]*\}|\[/?\w*\]|[()\\;:,.\n]|\u202f|\s[–—-]\s", text):
            if len(piece.strip()) >= 4:
                out.add(piece.strip())
    return out


def foreign_words(text: str, lang: str, catalogues: list[dict]) -> list[str]:
    """Pieces of the other language's texts (that this language never says) found in ``text``."""
    other = OTHER[lang]

    def texts(cat: dict, lg: str) -> list[str]:
        return [v for w in cat[lg].values() for v in (w if isinstance(w, tuple) else (w,))]

    mine = " ".join(t for cat in catalogues for t in texts(cat, lang))
    return sorted(p for p in pieces(t for cat in catalogues for t in texts(cat, other)) if p not in mine and p in text)


def table_rows(text: str, edge: str = "│") -> list[list[str]]:
    """The cells of a Rich table's rows (``┃``: its header row)."""
    return [[c.strip() for c in line.strip(f"{edge} ").split(edge)] for line in text.splitlines() if line.startswith(edge)]


def ids(m: dict) -> set[str]:
    return {x["id"] for k in ("stages", "touchpoints", "segments") for x in m[k]}


# -- compare ---------------------------------------------------------------------------------------

def bilingual(fr: str, en: str) -> dict[str, str]:
    return {"fr": fr, "en": en}


MAP = {
    "id": "boutique_test", "language": "fr",
    "stages": [{"id": "stage_browse", "name": bilingual("Découverte", "Browsing")},
               {"id": "stage_basket", "name": bilingual("Panier", "Basket")},
               {"id": "stage_paid", "name": bilingual("Paiement", "Payment")}],
    "touchpoints": [{"id": "tp_view", "stage": "stage_browse", "name": bilingual("Page produit", "Product page"),
                     "match": {"event": "view"}},
                    {"id": "tp_cart", "stage": "stage_basket", "name": bilingual("Ajout au panier", "Add to cart"),
                     "match": {"event": "cart"}},
                    {"id": "tp_pay", "stage": "stage_paid", "name": bilingual("Paiement en ligne", "Online payment"),
                     "match": {"event": "pay"}}],
    "goals": [{"id": "goal_paid", "match": {"event": "pay"}}],
    "segments": [{"id": "seg_gold", "name": bilingual("Clients fidèles", "Loyal customers"), "where": {"tier": "gold"}},
                 {"id": "seg_new", "name": bilingual("Nouveaux venus", "Newcomers"), "where": {"tier": "new"}}],
}


def generate(folder: Path) -> tuple[Path, Path, pd.DataFrame]:
    """Two months of 2,400 journeys each; in March more baskets, slower payments and worse
    answers; gold customers buy more than new ones. Enough journeys for thousands separators."""
    rng = np.random.default_rng(23)
    events, answers = [], []
    for month, p_cart, delay_h, good in ((1, 0.55, 2.0, 0.8), (3, 0.72, 9.0, 0.3)):
        for i in range(2400):
            c, tier = f"m{month}c{i}", ("gold" if rng.random() < 0.4 else "new")
            t = pd.Timestamp(2026, month, 1, tz="UTC") + pd.Timedelta(minutes=int(rng.integers(0, 38000)))
            events.append((c, "view", t, tier))
            if rng.random() < p_cart + (0.15 if tier == "gold" else 0):
                t += pd.Timedelta(minutes=float(rng.exponential(30)))
                events.append((c, "cart", t, tier))
                if rng.random() < 0.5:
                    t += pd.Timedelta(hours=float(rng.exponential(delay_h)))
                    events.append((c, "pay", t, tier))
            if rng.random() < 0.3:
                promoter = rng.random() < good + (0.15 if tier == "gold" else -0.15)
                score = int(rng.integers(9, 11) if promoter else rng.integers(0, 7))
                answers.append((c, t + pd.Timedelta(minutes=5), "nps", score, "tp_cart"))
    ev = pd.DataFrame(events, columns=["customer_id", "event", "timestamp", "tier"])
    ev.to_csv(folder / "events.csv", index=False)
    pd.DataFrame(answers, columns=["customer_id", "answered_at", "metric", "score", "touchpoint"]).to_csv(
        folder / "feedback.csv", index=False)
    return folder / "events.csv", folder / "feedback.csv", ev


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare_lang")
    events, feedback, ev = generate(root)
    (root / "map.yaml").write_text(yaml.safe_dump(MAP, allow_unicode=True), encoding="utf-8")
    runs = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(output.out, "_width", 250)  # one line per table row
        mp.setattr(output.err, "_width", 250)
        for kind, how in (("periods", ["--before", "2026-01-01..2026-01-31", "--after", "2026-03-01..2026-03-31"]),
                          ("segments", ["--segments", "seg_new,seg_gold"])):
            for lang in ("fr", "en"):
                out = root / f"{kind}-{lang}"
                r = CliRunner().invoke(app, ["compare", str(events), "--map", str(root / "map.yaml"), *how,
                                             "--feedback", str(feedback), "--out", str(out), "--lang", lang])
                assert r.exit_code == 0, r.output
                runs[kind, lang] = (r.stdout, r.stderr, json.loads((out / "compare.json").read_text(encoding="utf-8")))
    return ev, runs


def names(lang: str) -> dict[tuple[str, str], str]:
    return {(level, x["id"]): x["name"][lang] for level, key in (("stage", "stages"), ("touchpoint", "touchpoints"))
            for x in MAP[key]}


@pytest.mark.parametrize("kind", ["periods", "segments"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_compare_prints_every_significant_change_formatted_in_its_language(compared, kind, lang):
    ev, runs = compared
    stdout, stderr, d = runs[kind, lang]
    L = labels(lang)
    tests = {"fr": {"two proportions": "deux proportions", "Mann-Whitney U": "U de Mann-Whitney",
                    "NPS z-test": "test z du NPS", "Welch": "Welch"}}.get(lang, {})
    significant = [r for r in d["rows"] if r["significant"]]
    indicators = {r["indicator"] for r in significant}
    assert {"conversion", "reach", "exit_rate", "nps"} <= indicators, indicators  # the data makes each one change
    assert kind == "segments" or "duration_to_next_median" in indicators  # (both tiers pay as slowly)
    expected = sorted(
        [L["overall"] if r["level"] == "overall" else names(lang)[r["level"], r["item"]], L[f"ind_{r['indicator']}"],
         shown(r["indicator"], r["before"], lang), shown(r["indicator"], r["after"], lang),
         shown(r["indicator"], r["change"], lang, change=True),
         f"{num(r['n_before'], lang)} / {num(r['n_after'], lang)}", p_shown(r["p_value"], lang),
         p_shown(r["p_adjusted"], lang), tests.get(r["test"], r["test"])] for r in significant)
    assert sorted(table_rows(stdout)) == expected  # the whole table
    (header,) = table_rows(stdout, "┃")
    segment_names = [x["name"][lang] for x in MAP["segments"]]
    if kind == "segments":  # two segments are not before and after: their names head their columns
        assert header[2:4] == [segment_names[1], segment_names[0]]
    else:
        assert header[2:4] == [L["before"], L["after"]]
    assert header[5:8] == ["n", "p", BA_WORDS[lang]["p_adjusted"]]

    said = stdout + stderr
    # the journeys on each side, counted from the events (first event in the period; tier of the segment)
    first = ev.assign(timestamp=pd.to_datetime(ev["timestamp"], utc=True)).groupby("customer_id").agg(
        start=("timestamp", "min"), tier=("tier", "first"))
    if kind == "periods":
        sides = [(first["start"].dt.month == 1).sum(), (first["start"].dt.month == 3).sum()]
        dates = {"fr": ("1er janv. 2026 – 31 janv. 2026", "1er mars 2026 – 31 mars 2026"),
                 "en": ("1 Jan 2026 – 31 Jan 2026", "1 Mar 2026 – 31 Mar 2026")}[lang]
    else:
        sides = [(first["tier"] == "new").sum(), (first["tier"] == "gold").sum()]
        dates = (segment_names[1], segment_names[0])
    journeys = "parcours" if lang == "fr" else "journeys"
    assert [d["journeys"]["before"], d["journeys"]["after"]] == sides and min(sides) >= 1000
    assert f"{dates[0]} ({num(sides[0], lang)} {journeys})" in said and f"{dates[1]} ({num(sides[1], lang)} {journeys})" in said
    # how many tests and how judged; how many rows and significant ones
    n_tests = sum(r["p_value"] is not None for r in d["rows"])
    assert d["tests"] == n_tests
    level = "5\u202f%" if lang == "fr" else "5%"
    assert {"fr": f"{n_tests} tests, taux de fausses découvertes (FDR) contrôlé à {level} (Benjamini–Hochberg)",
            "en": f"{n_tests} tests, false discovery rate (FDR) controlled at {level} (Benjamini–Hochberg)"}[lang] in said
    s = len(significant)
    assert {"fr": f"({len(d['rows'])} lignes, {s} significative{'s' if s > 1 else ''})",
            "en": f"({len(d['rows'])} rows, {s} significant)"}[lang] in said
    # one language, its number formats and punctuation, names rather than ids
    assert unwanted_numbers(said, lang) == []
    assert lang == "en" or re.findall(r"\S* [:;?!%]", said) == []  # French: a narrow no-break space before
    assert foreign_words(said, lang, [BA_WORDS, {k: {x: v for x, v in labels(k).items() if x in L_KEYS(k)}
                                                 for k in ("fr", "en")}]) == []
    assert [i for i in ids(MAP) if i in said] == []


def L_KEYS(lang: str) -> list[str]:  # noqa: N802 - the report labels compare prints
    return [k for k in labels(lang) if k in ("where", "indicator", "before", "after", "change", "overall")
            or k.startswith(("kind_", "ind_"))]


def test_plurals_follow_the_language():
    from parcours.report import before_after as BA

    one = {"compare": {"kind": "periods", "before": "2026-01-01..2026-01-31", "after": "2026-02-01..2026-02-28"},
           "journeys": {"before": 1, "after": 2}, "tests": 1, "correction": "benjamini-hochberg"}
    assert BA.tests_sentence(one, "en").startswith("1 test, ") and BA.tests_sentence(one, "fr").startswith("1 test, ")
    assert "(1 journey) and" in BA.compared_sentence(one, "en", labels("en"))
    assert BA.counted(0, "row", "fr") == "0 ligne" and BA.counted(0, "row", "en") == "0 rows"
    assert BA.counted(1, "significant", "fr") == "1 significative"
    # two versions of one map (same id): named as versions, not by the id twice
    maps = {"compare": {"kind": "maps", "before": "boutique", "after": "boutique"}, "journeys": {"before": 2, "after": 2}}
    assert BA.compared_sentence(maps, "fr", labels("fr")) == (
        f"Comparaison de deux versions de la carte{NNBSP}: la version précédente de la carte (2 parcours) "
        "et cette version (2 parcours)")


# -- demo ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demos(tmp_path_factory):
    """The demo as a user runs it from a folder with ``.venv`` (this test run's environment):
    in French (the map's language) with the venv not active, in English (--lang en) with it active."""
    program = Path(sys.executable).parent / "parcours"
    assert program.exists(), program
    home = tmp_path_factory.mktemp("demo_lang")
    (home / ".venv").symlink_to(Path(sys.executable).parent.parent)
    runs = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(home)
        mp.setattr(sys, "argv", [str(home / ".venv" / "bin" / "parcours"), "demo"])
        mp.setattr(output.out, "_width", 250)
        mp.setattr(output.err, "_width", 250)
        for lang, path, asked in (("fr", "/usr/bin:/bin", []), ("en", f"{home}/.venv/bin:/usr/bin:/bin", ["--lang", "en"])):
            mp.setenv("PATH", path)
            r = CliRunner().invoke(app, ["demo", "--out", f"demo {lang}", "--customers", "400", "--seed", "3", *asked])
            assert r.exit_code == 0, r.output
            runs[lang] = (r.stdout, r.stderr)
    return home, runs


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_demo_prints_in_one_language(demos, lang):
    home, runs = demos
    stdout, stderr = runs[lang]
    said = stdout + stderr
    folder = home / f"demo {lang}"
    m = yaml.safe_load((folder / "maison_lumiere.yaml").read_text(encoding="utf-8"))
    assert m["language"] == "fr"  # the default: the map's language
    # the closing lines: files and their counts, from the files themselves
    events, answers = pd.read_csv(folder / "events.csv"), pd.read_csv(folder / "feedback.csv")
    counts = {"fr": (f"{num(len(events), 'fr')} événements", f"{num(events['customer_id'].nunique(), 'fr')} clients",
                     f"{num(len(answers), 'fr')} réponses"),
              "en": (f"{num(len(events), 'en')} events", f"{num(events['customer_id'].nunique(), 'en')} customers",
                     f"{num(len(answers), 'en')} answers")}[lang]
    assert len(events) >= 1000 and all(c in stderr for c in counts), (counts, stderr)
    assert f"({num(len(list((folder / 'results').iterdir())), lang)} {'fichiers' if lang == 'fr' else 'files'}" in stderr
    # the summary's headings and the closing lines in the language, none of the other
    W = CLI_WORDS[lang]
    assert all(W[k] in stdout for k in ("summary", "funnel", "events"))
    assert foreign_words(stdout, lang, [CLI_WORDS]) == []
    assert foreign_words(said, lang, [demo_cli.WORDS]) == []
    assert unwanted_numbers(stdout, lang) == []
    assert lang == "en" or re.findall(r"\S* [:;?!%]", stderr) == []  # French: a narrow no-break space before
    # stages and segments by their names in the language
    for stage in m["stages"]:
        assert stage["name"][lang] in stdout
    for seg in m["segments"]:
        assert seg["name"][lang] in stdout and seg["id"] not in stdout


def test_demo_next_commands_run_as_printed_in_this_shell(demos):
    """Not active: the venv's parcours by its path; active: ``parcours``; --lang repeated when asked."""
    home, runs = demos
    printed = {lang: [line.strip() for line in runs[lang][1].splitlines() if "parcours analyze" in line
                      or "parcours export" in line] for lang in runs}
    assert printed["fr"] == [
        ".venv/bin/parcours analyze 'demo fr/events.csv' --map 'demo fr/maison_lumiere.yaml' --feedback "
        "'demo fr/feedback.csv' --by segment --out 'demo fr/results'",
        ".venv/bin/parcours export --map 'demo fr/maison_lumiere.yaml' --results 'demo fr/results' --out 'demo fr/exports'"]
    assert printed["en"] == [
        "parcours analyze 'demo en/events.csv' --map 'demo en/maison_lumiere.yaml' --feedback 'demo en/feedback.csv' "
        "--by segment --out 'demo en/results' --lang en",
        "parcours export --map 'demo en/maison_lumiere.yaml' --results 'demo en/results' --out 'demo en/exports' --lang en"]
    # each runs as printed in its shell: the French one where the venv is not on PATH, the
    # English one where it is (its analyze prints in English, as the demo did)
    env = {"HOME": str(home), "COLUMNS": "250", "NO_COLOR": "1", "LANG": "C.UTF-8"}
    p = subprocess.run(["bash", "-c", printed["fr"][0].replace("--out 'demo fr/results'", "--out 'demo fr/again'")], cwd=home, capture_output=True, text=True,
                       env={**env, "PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr
    assert CLI_WORDS["fr"]["summary"] in p.stdout
    p = subprocess.run(["bash", "-c", printed["en"][0].replace("--out 'demo en/results'", "--out 'demo en/again'")],
                       cwd=home, capture_output=True, text=True, env={**env, "PATH": f"{home}/.venv/bin:/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr
    assert CLI_WORDS["en"]["summary"] in p.stdout and CLI_WORDS["fr"]["summary"] not in p.stdout
    assert "--lang" in subprocess.run([str(home / ".venv/bin/parcours"), "export", "--help"], capture_output=True,
                                      text=True, env={**env, "PATH": "/usr/bin:/bin"}).stdout
