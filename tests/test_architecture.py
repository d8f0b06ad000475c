"""The layer rules of STYLE.md hold (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    proc = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.lower() or "0 broken" in proc.stdout.lower()


def test_cli_help_does_not_import_the_engine():
    code = "import sys, parcours.cli.app; print(','.join(m for m in ('ibis', 'duckdb', 'pandas') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_no_peer_with_a_restrictive_licence_is_imported():
    for path in (ROOT / "src").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import pm4py" not in text and "import retentioneering" not in text, path


def test_front_doors_never_import_the_engine_or_ingest():
    """Front doors parse, the project decides (STYLE.md habit 12): no ``parcours.engine`` or
    ``parcours.ingest`` import under cli/ and web/, not even a lazy one inside a function."""
    import re

    pattern = re.compile(r"^\s*(?:from|import)\s+parcours\.(?:engine|ingest)\b", re.M)
    found = [f"{path.relative_to(ROOT)}: {m.group(0).strip()}"
             for door in ("cli", "web") for path in sorted((ROOT / "src" / "parcours" / door).rglob("*.py"))
             for m in pattern.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_every_module_of_parcours_is_placed_in_a_layer():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    package = ROOT / "src" / "parcours"
    modules = {f"parcours.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"} | \
              {f"parcours.{p.name}" for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert sorted(modules - placed) == []


def test_serve_starts_the_web_app_without_the_cli_importing_it():
    code = ("import sys, parcours.cli.app, parcours.cli.serve, parcours.project.app; "
            "print(','.join(m for m in sys.modules if m.startswith('parcours.web')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""
    from parcours.project.app import WEB_APP

    module, _, name = WEB_APP.partition(":")
    import importlib

    assert callable(getattr(importlib.import_module(module), name))
