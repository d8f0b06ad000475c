"""Sentences kept in English and said later in a reader's language: a table of templates, by key,
whose texts can be read back into their key and values.

What a layer writes for later — a note on how a file was read, why a row was quarantined
(:mod:`parcours.ingest.said`), the message of a map version the app saved
(:mod:`parcours.store.version_said`) — is the English template of its key with its values put
in: a file, a stored record and a script keep one plain sentence. :meth:`Templates.words_of`
reads such a sentence back into words (``{"t": prefix + key, **values}``, a value that names
something the catalogues name — a role — being words itself), which the
catalogues (``parcours.project.texts``) say in French or English; a sentence no template made
has no words and is shown as it is.

>>> T = Templates("demo.", {"moved": "moved {what} {direction}", "moved_far": "moved {what} {direction} far"})
>>> T.said("moved", what="'a'", direction="up")
"moved 'a' up"
>>> T.words_of("moved 'a' up far")
[{'t': 'demo.moved_far', 'what': "'a'", 'direction': 'up'}]
>>> T.words_of("moved 'a' up; moved 'b' down")
[{'t': 'demo.moved', 'what': "'a'", 'direction': 'up'}, {'t': 'demo.moved', 'what': "'b'", 'direction': 'down'}]
"""

from __future__ import annotations

import re
import string
from functools import cached_property
from typing import Any


class Templates:
    """English sentences by key (``str.format`` templates), said under ``prefix`` in the catalogues."""

    def __init__(self, prefix: str, templates: dict[str, str], named: dict[str, str] | None = None,
                 inner: tuple[str, ...] = ()) -> None:
        # named: values that are names of the catalogues (a role, ...), by the prefix of their keys;
        # inner: values that are sentences of this table themselves ("found {found}")
        self.prefix, self.templates, self.named, self.inner = prefix, templates, named or {}, inner

    def said(self, key: str, **values: Any) -> str:
        """The English sentence of ``key`` with ``values``."""
        return self.templates[key].format(**values)

    def parts(self, key: str) -> list[tuple[str, str | None]]:
        """``key``'s template as (literal text, name of the value after it or None)."""
        return [(literal, name) for literal, name, _, _ in string.Formatter().parse(self.templates[key])]

    @cached_property
    def _patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        out = []
        for key in self.templates:
            pattern = ""
            for literal, name in self.parts(key):
                pattern += re.escape(literal)
                if name is not None:
                    pattern += f"(?P={name})" if f"(?P<{name}>" in pattern else f"(?P<{name}>.+?)"
            out.append((key, re.compile(pattern, re.DOTALL)))
        # the template with the most fixed text first: "read as {timezone}" must not take "read as UTC (...)"
        return sorted(out, key=lambda kp: -sum(len(lit) for lit, _ in self.parts(kp[0])))

    def _one(self, text: str) -> dict[str, Any] | None:
        for key, pattern in self._patterns:
            m = pattern.fullmatch(text)
            if m:
                return {"t": self.prefix + key, **{k: self._value(k, v) for k, v in m.groupdict().items()}}
        return None

    def _value(self, name: str, value: str) -> Any:
        if name in self.named:
            return {"t": self.named[name] + value}
        if name in self.inner:
            return self._one(value) or value
        return value

    def words_of(self, text: str | None) -> list[dict[str, Any]] | None:
        """The words of a sentence :meth:`said` made, or of such sentences joined by ``"; "``;
        None when some part is not one."""
        if not text:
            return None
        parts = [self._one(p) for p in text.split("; ")] if "; " in text else []
        if parts and all(p is not None for p in parts):
            return parts  # type: ignore[return-value]
        whole = self._one(text)  # a sentence may hold "; " itself
        return None if whole is None else [whole]
