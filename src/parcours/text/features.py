"""Text → hashed features, shared by the shipped sentiment models and the script that trains them.

The same function runs when the model is trained (``bench/sentiment_train.py``) and when a
comment is scored, so the two cannot drift apart. Features are word unigrams and bigrams of a
normalised text, with the words after a negation marked (``pas bon`` → ``bon`` becomes
``NEG_bon``), hashed with CRC-32 into ``DIMENSION`` buckets (no vocabulary to ship), binary,
then scaled to unit length.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib

DIMENSION = 2**20

_URL = re.compile(r"https?://\S+|www\.\S+")
_USER = re.compile(r"@\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
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
    }
)


def normalise(text: str) -> str:
    """Lower case, NFKC, placeholders for links, mentions and numbers, elisions split."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _URL.sub(" _url_ ", text)
    text = _USER.sub(" _user_ ", text)
    text = _NUMBER.sub(" _num_ ", text)
    text = text.replace("n't", "nt").replace("n’t", "nt")
    return _ELISION.sub(r"\1 ", text)


def tokens(text: str) -> list[str]:
    """Word tokens of a normalised text, words after a negation marked ``NEG_`` up to the clause end."""
    out: list[str] = []
    negated = False
    for piece in re.split(r"(" + _CLAUSE_END.pattern + r")", normalise(text)):
        if _CLAUSE_END.fullmatch(piece):
            negated = False
            if piece in "!?":
                out.append(piece)
            continue
        for token in _TOKEN.findall(piece):
            if token in NEGATIONS:
                negated = True
                out.append(token)
            elif negated and token[0].isalpha():
                out.append("NEG_" + token)
            else:
                out.append(token)
    return out


def bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % DIMENSION


def features(text: str) -> dict[int, float]:
    """Hashed binary unigram + bigram features of one text, scaled to unit length."""
    words = tokens(text)
    grams = set(words)
    grams.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    if not grams:
        return {}
    indices: dict[int, float] = {}
    for gram in grams:
        indices[bucket(gram)] = 1.0
    norm = 1.0 / math.sqrt(len(indices))
    return {index: norm for index in indices}
