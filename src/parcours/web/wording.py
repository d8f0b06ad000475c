"""Errors of the project layer as the web app says them: in the language of the request being
answered (:mod:`parcours.web.i18n`), and naming the app's own forms where the CLI's hint names
its options.

An error arrives as a dict (``message``, ``hint``, and the facts of the error,
:meth:`parcours.errors.ParcoursError.facts`): a job's error, a validation's payload. Columns
that could not be told apart (``missing`` roles of a
:class:`~parcours.errors.ColumnRoleError`) are chosen in the column-mapping form of the
source, on the Data tab, not with ``--columns``; so is a column given for a role that the data
lacks (``role`` and ``column``). Any other error is left as it is.

:class:`Worded` is an HTTP error whose page says it from the catalogues (the API answers its
``detail`` as any other); :func:`error_page` is what an error page says, in the page's language.

What the app keeps to say later (a flash, a line of the activity feed) is kept as *words*:
``{"t": key, **values}``, a key of the catalogues and its values, a value being itself words
when it is to be said too (:func:`words`); :func:`say` puts them in a reader's language.

>>> say({"t": "data.flash.released", "name": "april.csv", "kind": words("data.kind_of.events"),
...      "then": words("activity.map_file", name="events.csv")}, "en")
"april.csv is no longer in use for the live map's events: it measures the map's file events.csv."

>>> said = worded({"message": "e.csv: cannot tell which column is the time", "hint": "say it with --columns time=COLUMN",
...                "source": "e.csv", "columns": ["who", "when"], "missing": ["time"]}, 3, lang="fr")
>>> said["message"], said["missing"]
("e.csv\\u202f: impossible de dire quelle colonne est l'horodatage", ['time'])
>>> "--columns" in said["hint"], "/projects/3/data" in said["hint"]
(False, True)
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException  # routes catch FastAPI's; the app's handler answers Starlette's, its base
from starlette.exceptions import HTTPException as AnyHTTPError

from parcours.project import texts
from parcours.web import i18n


def words(key: str, **values: Any) -> dict[str, Any]:
    """Words to say later: the catalogues' ``key`` and its ``values`` (JSON; a value may be words)."""
    return {"t": key, **values}


def number(n: int | float) -> dict[str, Any]:
    """A number to say later as the reader's language writes it (``1,234`` / ``1 234``)."""
    return {"num": n}


def say(said: dict[str, Any], lang: str) -> str:
    """Words (:func:`words`) in ``lang`` (:func:`parcours.project.texts.say`): each value that
    is words said first, each :func:`number` written as ``lang`` writes numbers. A key the
    catalogues lack is a :class:`KeyError` (a caller with a fallback text catches it)."""
    return texts.say(said, lang)


def role_names(roles: list[str], lang: str | None = None) -> str:
    """Roles as a sentence names them (``the customer and the time``), in ``lang`` (default: the
    request's language)."""
    lang = lang or i18n.current()
    known = i18n.catalogue(lang)
    return i18n.text(lang, "columns.and").join(known.get(f"column.{r}", r) for r in roles)


def worded(error: dict[str, Any] | None, project_id: int, lang: str | None = None) -> dict[str, Any] | None:
    """``error`` as the web says it (see the module), in ``lang`` (default: the request's
    language); its facts are kept, so a script or an API client still has them."""
    if not error:
        return error
    lang = lang or i18n.current()
    source = error.get("source") or "?"
    columns = ", ".join(error.get("columns") or [])
    url = f"/projects/{project_id}/data"
    if error.get("no_events"):  # parcours.project.stored.NoEvents
        key = "live.no_events_path" if error.get("path") else "live.no_events"
        return {**error, "message": i18n.text(lang, key, path=error.get("path") or ""),
                "hint": i18n.text(lang, "live.no_events_hint", url=url)}
    if error.get("dates") in ("ambiguous", "mixed"):  # parcours.errors.DateFormatError
        ex = error.get("examples") or [{}]
        field = i18n.text(lang, "source.date_format")
        if error["dates"] == "ambiguous":
            return {**error, "message": i18n.text(lang, "dates.ambiguous", source=source, column=error.get("column"),
                                                  row=ex[0].get("row"), value=ex[0].get("value")),
                    "hint": i18n.text(lang, "dates.ambiguous_hint", field=field, url=url)}
        last = ex[-1]
        return {**error, "message": i18n.text(lang, "dates.mixed", source=source, column=error.get("column"),
                                              row=ex[0].get("row"), value=ex[0].get("value"), row2=last.get("row"),
                                              value2=last.get("value")),
                "hint": i18n.text(lang, "dates.mixed_hint")}
    if error.get("missing"):
        roles = role_names(error["missing"], lang)
        return {**error, "message": i18n.text(lang, "columns.missing", source=source, roles=roles),
                "hint": i18n.text(lang, "columns.missing_hint", roles=roles, url=url)}
    if error.get("role") and error.get("column"):
        role = role_names([error["role"]], lang)
        return {**error, "message": i18n.text(lang, "columns.unknown", source=source, column=error["column"], role=role),
                "hint": i18n.text(lang, "columns.unknown_hint", role=role, columns=columns, url=url)}
    return error


class Worded(HTTPException):
    """An HTTP error whose page says it with the catalogues' text ``key`` and ``values`` (a value
    that is itself a key of the catalogues, given as ``("key",)``, is put in the page's language
    too); the API answers ``detail``, in English, as it always did.

    Any HTTP error with a ``said()`` method (message, hint) says itself on its page this way."""

    def __init__(self, status_code: int, detail: Any, key: str, headers: dict[str, str] | None = None,
                 **values: Any) -> None:
        super().__init__(status_code, detail, headers=headers)
        self.key, self.values = key, values

    def said(self) -> tuple[str, str | None]:
        values = {k: i18n.t(v[0]) if isinstance(v, tuple) else v for k, v in self.values.items()}
        return i18n.t(self.key, **values), None


def error_page(exc: AnyHTTPError) -> dict[str, Any]:
    """The ``title``, ``message`` and ``hint`` of the page of an HTTP error, in the page's language
    (:func:`parcours.web.i18n.current`): an error that says itself (:class:`Worded`, or any with
    a ``said()``) says its own text; any other says
    its ``detail`` on an English page (the API's text, in English) and, in another language, what
    its status means, from the catalogue."""
    status, lang = exc.status_code, i18n.current()
    known = i18n.catalogue(lang)
    title = i18n.t(f"error.{status}") if f"error.{status}" in known else i18n.t("error.other", status=status)
    said = getattr(exc, "said", None)
    if callable(said):
        message, hint = said()
        return {"title": title, "message": message, "hint": hint}
    if lang == i18n.DEFAULT:
        detail, hint = exc.detail, None
        if isinstance(detail, dict) and "message" in detail:
            detail, hint = detail["message"], detail.get("hint")
        return {"title": title, "message": str(detail), "hint": hint}
    key = f"error.{status}_message"
    return {"title": title, "message": i18n.t(key) if key in known else i18n.t("error.other_message", status=status),
            "hint": None}
