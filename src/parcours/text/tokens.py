"""Words of a comment: normalised, tokenised, the words after a negation marked ``NEG_``.

Shared by the hashed features (``features.py``) and the lexicons (``lexicon.py``), so that a
lexicon's entries and a comment's words are cut the same way.
"""

from __future__ import annotations

import re
import unicodedata

_URL = re.compile(r"https?://\S+|www\.\S+")
_USER = re.compile(r"@\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
PLACEHOLDERS = re.compile(r"_(?:num|url|user)_")  # what normalise() writes for numbers, links, mentions
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|_num_|_url_|_user_|[!?]+|[:;]-?[()dp]", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.,;:!?]")
_ELISION = re.compile(r"\b([cdjlmnst]|qu)['’]", re.IGNORECASE)

NEGATIONS = frozenset(
    {
        # English
        "not", "no", "never", "nothing", "nobody", "none", "nor", "without", "cannot",
        "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "cant", "couldnt",
        "wont", "wouldnt", "shouldnt", "hasnt", "havent", "hadnt",
        # French
        "ne", "pas", "jamais", "rien", "aucun", "aucune", "sans", "ni", "personne", "guère",
        # German
        "nicht", "kein", "keine", "keinen", "keinem", "keiner", "nie", "niemals", "nichts", "ohne",
        # Spanish
        "nunca", "nada", "sin", "tampoco", "ningún", "ninguna", "ninguno", "nadie",
        # Dutch
        "niet", "geen", "nooit", "niets", "zonder", "niemand",
    }
)


def normalise(text: str) -> str:
    """Lower case, NFKC, placeholders for links, mentions and numbers, elisions split."""
    if not unicodedata.is_normalized("NFKC", text):  # most texts are: the check is cheaper
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    if "http" in text or "www." in text:
        text = _URL.sub(" _url_ ", text)
    if "@" in text:
        text = _USER.sub(" _user_ ", text)
    text = _NUMBER.sub(" _num_ ", text)
    if "t" in text:
        text = text.replace("n't", "nt").replace("n’t", "nt")
    return _ELISION.sub(r"\1 ", text)


_SPLIT = re.compile(r"(" + _CLAUSE_END.pattern + r")")


def tokens(text: str) -> list[str]:
    """Word tokens of a normalised text, words after a negation marked ``NEG_`` up to the clause end."""
    out: list[str] = []
    negated = False
    for piece in _SPLIT.split(normalise(text)):
        if len(piece) == 1 and piece in ".,;:!?":
            negated = False
            if piece in "!?":
                out.append(piece)
            continue
        found = _TOKEN.findall(piece)
        if not negated and NEGATIONS.isdisjoint(found):
            out.extend(found)  # no negation in this clause: the words as they are
            continue
        for token in found:
            if token in NEGATIONS:
                negated = True
                out.append(token)
            elif negated and token[0].isalpha():
                out.append("NEG_" + token)
            else:
                out.append(token)
    return out
