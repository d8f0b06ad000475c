"""Themes across comments: the irritants and delights customers write about.

A theme is a set of key terms (words and short phrases such as ``frais de livraison``) that
are over-represented in negative comments (an *irritant*) or in positive ones (a *delight*)
compared with all the others. How it works, so that every theme can be explained:

1. Terms: lower-cased words of 3+ letters that are not stop words, and phrases of 2–3 such
   words in a row (a connector such as ``de``/``of`` may stand between them). A term counts
   once per comment; a phrase never spans punctuation. Terms in fewer than ``min_size``
   comments, or in more than 60% of them, are dropped. Words that name nothing to act on are
   never terms: units of time, negations, "company", reporting verbs (``stopwords.GENERIC``);
   nor are the domain's words alone (in at least 20% of the negative comments *and* of the
   positive ones: "assurance" in reviews of insurers), nor names (written with a capital at
   least 70% of the times they appear inside a sentence: brands, products, people).
2. Over-representation: for each term, the log-odds ratio of its document frequency in the
   negative (positive) comments against all the others, with a Dirichlet prior of 0.5 per
   count, divided by its standard error (Monroe, Colaresi & Quinn 2008, "Fightin' words").
   Terms with z ≥ 1.96 are kept, strongest first.
3. Grouping: a term joins an earlier theme when its comments of that polarity mostly are
   those of the theme's first term (Jaccard index ≥ 0.4, or 80% of its own comments among
   them; at most 5 key terms per theme), else it starts a new
   one (at most ``max_themes`` per kind). The theme's name is its first term, or the first
   later phrase that holds it and that most of the comments with the first term say
   (``coup`` → ``coup de cœur``, ``frais`` → ``frais de livraison``).
4. Each negative comment is put in the first irritant (by rank) one of whose terms it has,
   each positive comment in the first such delight; neutral comments get no theme. A theme
   left with fewer than ``min_size`` comments of its own is dropped.

A theme's figures: size (its comments), share of all comments, the share of detractors'
comments it holds, the mean score of its comments, where it occurs (stages, touchpoints), and
three quotes: the comments that hold most of its terms, then with the strongest sentiment.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence

from parcours.text.features import PLACEHOLDERS, normalise
from parcours.text.stopwords import ALL, CONNECTORS, GENERIC
from parcours.text.tokens import NEGATIONS

STOP = ALL | GENERIC | NEGATIONS  # words that are never a theme's (nor part of one)

Z_MIN = 1.96
PRIOR = 0.5
MAX_TERMS = 5
MAX_SHARE = 0.6
DOMAIN_SHARE = 0.2  # a word in this share of the negative comments *and* of the positive ones is the domain's
NAME_SHARE = 0.7    # a word written with a capital this often inside a sentence is a name
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"«»“”…/|]+")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


@dataclass
class Comment:
    text: str
    label: str | None               # final sentiment label
    sentiment: float | None         # final sentiment score −1..1
    detractor: bool
    score: float | None = None
    metric: str | None = None
    satisfaction: float | None = None  # 0..100
    stage: str | None = None
    touchpoint: str | None = None
    terms: set[str] = field(default_factory=set)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith(("s", "x")) and not word.endswith(("ss", "us", "is", "ès")):
        return word[:-1]
    return word


def terms_of(text: str) -> tuple[set[str], dict[str, str]]:
    """Terms of a comment (keys, singularised) and the surface form of each."""
    words: list[str] = []
    # the placeholders normalise() writes for numbers, links and mentions are no words of the customer
    for clause in _CLAUSE.split(PLACEHOLDERS.sub(" ", normalise(text))):  # a phrase never spans punctuation
        words += _WORD.findall(clause) + ["."]
    out: set[str] = set()
    surface: dict[str, str] = {}
    run: list[tuple[str, str]] = []  # (key, surface) of content words, with connectors kept in surface
    pending = ""
    for w in words:
        if w in CONNECTORS and run and len(pending.split()) < 2:
            pending = w
            continue
        if len(w) >= 3 and w not in STOP and w.isalpha():
            run.append((_singular(w), f"{pending} {w}" if pending else w))
            pending = ""
            continue
        # a non-content word ends the run: emit its 1–3-grams
        for i in range(len(run)):
            for n in (1, 2, 3):
                if i + n <= len(run):
                    key = " ".join(k for k, _ in run[i:i + n])
                    out.add(key)
                    surface.setdefault(key, " ".join([run[i][1].split(" ")[-1]] + [s for _, s in run[i + 1:i + n]]))
        run, pending = [], ""
    return out, surface


def domain_words(comments: Sequence[Comment], df: Counter[str], min_size: int) -> set[str]:
    """Words of the domain: in at least ``DOMAIN_SHARE`` of the negative comments and of the
    positive ones ("assurance" in reviews of insurers, "pet" in reviews of pet insurance).
    Alone they say what the comments are about, not what pleases or irritates: they are no
    theme's term (a phrase holding one may be: "frais de livraison")."""
    sides = [[c for c in comments if c.label == side] for side in ("negative", "positive")]
    if any(len(side) < min_size for side in sides):
        return set()
    shares = [Counter(t for c in side for t in c.terms if " " not in t) for side in sides]
    return {t for t in df if " " not in t and all(s[t] >= DOMAIN_SHARE * len(side) for s, side in zip(shares, sides))}


_SENTENCE = re.compile(r"[.!?…]+\s+|[\n\r]+")


def names(comments: Sequence[Comment], min_size: int) -> set[str]:
    """Brand, product and people's names: words (as terms write them) that start with a capital
    at least ``NAME_SHARE`` of the times they are written inside a sentence (the first word of a
    sentence and words in capitals say nothing), written so at least ``min_size`` times."""
    capital: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for c in comments:
        for sentence in _SENTENCE.split(c.text):
            for word in _WORD.findall(sentence)[1:]:
                if word.isupper() or len(word) < 3:
                    continue
                key = _singular(word.lower())
                seen[key] += 1
                capital[key] += word[0].isupper()
    return {w for w, k in seen.items() if k >= min_size and capital[w] >= NAME_SHARE * k}


def _z(a: int, n_a: int, b: int, n_b: int) -> float:
    """Log-odds ratio z-score of a term in ``a`` of ``n_a`` comments against ``b`` of ``n_b``."""
    la = math.log((a + PRIOR) / (n_a - a + PRIOR))
    lb = math.log((b + PRIOR) / (n_b - b + PRIOR))
    return (la - lb) / math.sqrt(1 / (a + PRIOR) + 1 / (b + PRIOR))


def _belongs(docs: set[int], seed: set[int]) -> bool:
    """A term joins a theme when its comments mostly are the theme's first term's comments:
    Jaccard ≥ 0.4, or 80% of its own comments among them."""
    common = len(docs & seed)
    return common >= 0.4 * len(docs | seed) or common >= 0.8 * len(docs)


def find_themes(comments: Sequence[Comment], *, min_size: int | None = None, max_themes: int = 8,
                ) -> tuple[list[dict[str, Any]], list[int | None]]:
    """Theme records (irritants then delights, by rank) and the theme index of each comment."""
    n = len(comments)
    surfaces: Counter[tuple[str, str]] = Counter()
    for c in comments:
        c.terms, surf = terms_of(c.text)
        surfaces.update(surf.items())
    best_surface: dict[str, str] = {}
    for (key, s), _ in surfaces.most_common():
        best_surface.setdefault(key, s)
    if min_size is None:
        min_size = max(3, math.ceil(0.005 * n))
    df: Counter[str] = Counter(t for c in comments for t in c.terms)
    domain, named = domain_words(comments, df, min_size), names(comments, min_size)
    usable = {t for t, k in df.items() if min_size <= k <= max(min_size, MAX_SHARE * n)
              and t not in domain and named.isdisjoint(t.split())}
    themes: list[dict[str, Any]] = []
    assigned: list[int | None] = [None] * n
    n_detractors = sum(c.detractor for c in comments)
    for kind, polarity in (("irritant", "negative"), ("delight", "positive")):
        inside = [i for i, c in enumerate(comments) if c.label == polarity]
        if len(inside) < min_size:
            continue
        in_df: Counter[str] = Counter(t for i in inside for t in comments[i].terms if t in usable)
        n_in, n_out = len(inside), n - len(inside)
        ranked = sorted(((_z(k, n_in, df[t] - k, n_out), t) for t, k in in_df.items() if k >= min_size),
                        reverse=True)
        groups: list[dict[str, Any]] = []
        for z, term in ranked:
            if z < Z_MIN:
                break
            docs = {i for i in inside if term in comments[i].terms}
            # a phrase whose words are all key terms already adds nothing
            home = next((g for g in groups if _belongs(docs, g["seed"])), None)
            if home is not None:
                if len(home["terms"]) < MAX_TERMS and not all(w in home["terms"] for w in term.split()):
                    home["terms"].append(term)
                    home["docs"] |= docs
                continue
            if len(groups) < max_themes:
                groups.append({"terms": [term], "docs": set(docs), "seed": docs, "z": z})
        for g in groups:
            index = len(themes)
            members = [i for i in sorted(g["docs"]) if assigned[i] is None
                       and any(t in comments[i].terms for t in g["terms"])]
            if len(members) < min_size:  # its comments went to earlier themes
                continue
            for i in members:
                assigned[i] = index
            themes.append(_describe(kind, g, members, comments, best_surface, n, n_detractors))
    return themes, assigned


def _describe(kind: str, g: dict[str, Any], members: list[int], comments: Sequence[Comment],
              surface: dict[str, str], n: int, n_detractors: int) -> dict[str, Any]:
    cs = [comments[i] for i in members]
    detractors = sum(c.detractor for c in cs)
    metrics = {c.metric for c in cs if c.score is not None}
    scores = [c.score for c in cs if c.score is not None]
    sats = [c.satisfaction for c in cs if c.satisfaction is not None]
    where_stage = Counter(c.stage for c in cs if c.stage)
    where_tp = Counter(c.touchpoint for c in cs if c.touchpoint)
    sign = -1 if kind == "irritant" else 1

    def strength(i: int) -> tuple:
        c = comments[i]
        hits = sum(t in c.terms for t in g["terms"])
        return (-hits, -(sign * (c.sentiment or 0)), abs(len(c.text) - 140), i)

    quotes, seen = [], set()
    for i in sorted(members, key=strength):
        text = " ".join(comments[i].text.split())
        if text.lower() in seen:
            continue
        seen.add(text.lower())
        quotes.append(text if len(text) <= 280 else text[:279].rstrip() + "…")
        if len(quotes) == 3:
            break
    names = [surface.get(t, t) for t in g["terms"]]
    # a phrase among the key terms that holds the first one names the theme better when most of
    # the comments with the first term say it ("frais" → "frais de livraison"; "coup de cœur"), not
    # when a few do ("contrat d'assurance" is said in few of the comments about the contract)
    first = g["terms"][0]
    with_first = [c for c in cs if first in c.terms]
    name = next((surface.get(t, t) for t in g["terms"][1:] if first in t.split()
                 and 2 * sum(t in c.terms for c in with_first) >= len(with_first)), names[0])
    return {
        "theme": name, "kind": kind, "key_terms": names, "size": len(cs),
        "share_of_comments": len(cs) / n if n else None,
        "detractors": detractors,
        "share_of_detractor_comments": detractors / n_detractors if n_detractors else None,
        "detractor_share": detractors / len(cs) if cs else None,
        "metric": next(iter(metrics)) if len(metrics) == 1 else None,
        "mean_score": sum(scores) / len(scores) if scores and len(metrics) == 1 else None,
        "mean_satisfaction": sum(sats) / len(sats) if sats else None,
        "stages": [{"stage": k, "comments": v} for k, v in where_stage.most_common()],
        "touchpoints": [{"touchpoint": k, "comments": v} for k, v in where_tp.most_common()],
        "quotes": quotes, "z": g["z"],
    }
