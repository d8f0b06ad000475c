"""Read and write the journey map as YAML, with errors that name file, line and field."""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import ValidationError

from parcours.errors import MapError, Problem
from parcours.model.journey_map import JourneyMap, reference_problems
from parcours.model.said import said
from parcours.model.location import Place, describe

Path = tuple[str | int, ...]


def _lines(node: yaml.Node, path: Path, out: dict[Path, int], dups: list[tuple[Path, int]]) -> None:
    """Record the 1-based line of every key and item below ``node``; note duplicate keys."""
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dups.append((path + (key,), key_node.start_mark.line + 1))
            seen.add(key)
            out[path + (key,)] = key_node.start_mark.line + 1
            _lines(value_node, path + (key,), out, dups)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, path + (i,), out, dups)


def _where(source: str, path: Path, lines: dict[Path, int]) -> str:
    return describe(source, path, lines)


_TYPE_NAMES = {"str", "int", "float", "bool", "none", "list", "dict", "date", "datetime"}


def _clean_loc(loc: tuple[Any, ...]) -> Path:
    # pydantic adds union-branch names ("str", "LocalizedText", "function-after[...]") to
    # locations; they are not places in the file.
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, int) or (isinstance(part, str) and "[" not in part and part[:1].islower()
                                     and part not in _TYPE_NAMES):
            out.append(part)
    return tuple(out)


def pydantic_problems(err: ValidationError, source: str, lines: dict[Path, int]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[Path, str]] = set()
    for e in err.errors(include_url=False):
        path = _clean_loc(e["loc"])
        kind = e["type"]
        field = path[-1] if path else (e["loc"][-1] if e["loc"] else "")  # a key may be "" in YAML or JSON
        if kind == "extra_forbidden":
            what, hint = said("unknown_field", field=repr(field)), said("unknown_field_hint")
        elif kind == "missing":
            what, hint = said("missing_field", field=repr(field)), None
        else:
            msg = e["msg"].removeprefix("Value error, ")
            what = f"{msg} (got {e['input']!r})" if not isinstance(e["input"], (dict, list)) else msg
            hint = None
        # A union that failed on every branch reports each branch: keep one line per place.
        if (path, kind) in seen:
            continue
        seen.add((path, kind))
        problems.append(Problem(_where(source, path, lines), what, hint))
    return problems


def map_from_dict(data: Any, *, source: str = "<map>", lines: dict[Path, int] | None = None) -> JourneyMap:
    """Validate plain data (as read from YAML or JSON) into a :class:`JourneyMap`.

    Raises :class:`parcours.errors.MapError` listing every problem with its place.

    >>> m = map_from_dict({"stages": [{"id": "discover", "name": "Découverte"}]})
    >>> m.stage_ids()
    ['discover']
    """
    lines = lines or {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MapError(source, [Problem(source, said("not_a_mapping", type=type(data).__name__),
                                        said("not_a_mapping_hint"))])
    problems = [Problem(_where(source, p, lines), what, hint) for p, what, hint in reference_problems(data)]
    try:
        m = JourneyMap.model_validate(data, context={"skip_references": True})
    except ValidationError as err:
        problems = pydantic_problems(err, source, lines) + problems
    if problems:
        raise MapError(source, problems)
    m.set_origin(source, lines)
    return m


def load_map(path: str | FsPath) -> JourneyMap:
    """Read a journey map from a YAML (or JSON) file.

    Errors name the file, the line and the field, and say what was expected.
    """
    p = FsPath(path)
    name = str(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MapError(name, [Problem(name, "file not found", "check the path")]) from None
    except UnicodeDecodeError as e:
        raise MapError(name, [Problem(name, f"not UTF-8 text ({e.reason} at byte {e.start})",
                                      "save the map as UTF-8")]) from None
    return map_from_text(text, name)


def map_from_text(text: str, source: str = "map.yaml") -> JourneyMap:
    """Read a journey map from YAML (or JSON) text; errors name ``source``, the line and the
    field, as for :func:`load_map` (which reads a file and calls this)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = Place(source, line=mark.line + 1, column=mark.column + 1) if mark else source
        what = getattr(e, "problem", None) or str(e)
        raise MapError(source, [Problem(where, f"not valid YAML: {what}",
                                        "check indentation and quotes around values containing ':' or '#'")]) from None
    lines: dict[Path, int] = {}
    dups: list[tuple[Path, int]] = []
    if node is not None:
        _lines(node, (), lines, dups)
    if dups:
        raise MapError(source, [Problem(_where(source, p, {p: ln}), f"key {p[-1]!r} is given twice",
                                        "keep one of them") for p, ln in dups])
    return map_from_dict(data, source=source, lines=lines)


def map_to_dict(m: JourneyMap) -> dict[str, Any]:
    """The map as plain data, leaving out fields at their defaults."""
    return m.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def dump_map(m: JourneyMap) -> str:
    """The map as YAML text, fields in schema order, Unicode kept as is."""
    return yaml.safe_dump(map_to_dict(m), sort_keys=False, allow_unicode=True, width=100)


def map_json_schema() -> dict[str, Any]:
    """The published JSON Schema of the journey map file."""
    schema = JourneyMap.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Parcours journey map"
    return schema
