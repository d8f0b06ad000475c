"""``parcours validate`` and ``parcours schema``: the journey map as code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from parcours.cli.output import info, out, user_errors


def validate_command(map_path: Annotated[Path, typer.Argument(help="Journey map YAML to check.")]) -> None:
    """Check a journey map: fields, ids, references, patterns. Exit code 2 when invalid."""
    from parcours.model import load_map

    with user_errors():
        m = load_map(map_path)
    info(f"[green]✓[/] {map_path} is a valid journey map: {len(m.stages)} stages, {len(m.touchpoints)} touchpoints, "
         f"{len(m.goals)} goals, {len(m.segments)} segments, {len(m.personas)} personas.")


def schema_command(out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write the schema to this file instead of stdout.")] = None) -> None:
    """Print the JSON Schema of the journey map file (for editors and CI checks)."""
    from parcours.model import map_json_schema

    text = json.dumps(map_json_schema(), indent=2, ensure_ascii=False)
    if out_file:
        out_file.write_text(text + "\n", encoding="utf-8")
        info(f"JSON Schema written to {out_file}")
    else:
        out.print_json(text) if out.is_terminal else print(text)
