"""The documentation stays true: it builds, its references are generated, its examples run.

(a) ``mkdocs build --strict`` succeeds (broken links and pages missing from the nav fail);
(b) ``python scripts/gen_docs.py --check`` passes: ``docs/reference/cli.md`` is the real
    ``--help`` of every command and ``docs/reference/map.md`` the real map schema;
(c) every command and option of ``parcours ... --help``, every field of the map schema and
    every key and table of an actual analysis are mentioned in the reference pages;
(d) the examples of the docs are executed.

How examples are marked
-----------------------
An HTML comment (invisible on the site) on the line just before a fenced block::

    <!-- run -->          run the block (```bash or ```python); it must exit with code 0
    <!-- run exit=4 -->   run the bash block; it must exit with code 4
    <!-- file: NAME -->   write the block's content to NAME in the working folder
    <!-- map -->          the YAML block is a valid journey map (parcours.model.map_from_dict)
    <!-- map: NAME -->    both: a valid map, and written to NAME

Where examples run
------------------
The marked blocks of one page run in order, in a fresh folder ``TMP/work``. Its sibling
``TMP/shared/data`` is a link to the shared real data, so a path such as
``../shared/data/wabo_receipt_phase/receipt.csv.gz`` means in the docs exactly what it means
from the repository root (the data sits beside the repository). A page whose blocks mention
``shared/data`` needs that data: it uses the ``shared_data`` fixture (skipped outside CI
when absent, a failure in CI).

Bash blocks run with ``bash -euo pipefail``, the virtualenv's ``bin`` first on ``PATH``.
Python blocks run in this process, in one namespace per page (a block sees the names defined
by the page's earlier blocks), with the working folder as current directory.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md"))
MARKER = re.compile(r"^<!--\s*(run(?:\s+exit=(\d+))?|map(?::\s*(\S+))?|file:\s*(\S+))\s*-->\s*$")
ANY_MARKER = re.compile(r"^<!--\s*(run|map|file)\b")
FENCE = re.compile(r"^(`{3,})\s*([\w+-]*)")


@dataclass
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    run: bool = False
    exit_code: int = 0
    is_map: bool = False
    file: str | None = None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks_of(page: Path) -> list[Block]:
    """The marked fenced blocks of a page, in order. A marker must precede a fence."""
    lines = page.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i].strip())
        if not m:
            assert not ANY_MARKER.match(lines[i].strip()), f"{page}:{i + 1}: malformed example marker {lines[i]!r}"
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        fence = FENCE.match(lines[j].strip()) if j < len(lines) else None
        assert fence, f"{page}:{i + 1}: marker {lines[i]!r} is not followed by a fenced block"
        ticks, lang = fence.group(1), fence.group(2)
        k = j + 1
        while k < len(lines) and lines[k].strip() != ticks:
            k += 1
        assert k < len(lines), f"{page}:{j + 1}: fenced block never closed"
        b = Block(page=page, line=j + 1, lang=lang, code="\n".join(lines[j + 1:k]) + "\n")
        directive = m.group(1)
        if directive.startswith("run"):
            b.run, b.exit_code = True, int(m.group(2) or 0)
            assert lang in ("bash", "python"), f"{b.where}: only bash and python blocks can run, not {lang!r}"
            assert lang == "bash" or b.exit_code == 0, f"{b.where}: exit= is for bash blocks"
        elif directive.startswith("map"):
            b.is_map, b.file = True, m.group(3)
            assert lang == "yaml", f"{b.where}: a map example is a ```yaml block"
        else:
            b.file = m.group(4)
        out.append(b)
        i = k + 1
    return out


ALL_BLOCKS = {p: blocks_of(p) for p in PAGES}
RUN_PAGES = [p for p, bs in ALL_BLOCKS.items() if any(b.run or b.file for b in bs)]
MAP_BLOCKS = [b for bs in ALL_BLOCKS.values() for b in bs if b.is_map]


def _help(*args: str) -> str:
    from typer.testing import CliRunner

    from parcours.cli.app import app

    result = CliRunner().invoke(app, [*args, "--help"], prog_name="parcours",
                                env={"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


# (a) ---------------------------------------------------------------------------------


def test_site_builds_strict_and_offline(tmp_path):
    site = tmp_path / "site"
    p = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
                        "--site-dir", str(site)], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (site / "index.html").exists() and (site / "concepts" / "figures.html").exists()
    # Nothing is fetched when the site is opened: no external script or stylesheet.
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', text)
        assert not external, f"{html.relative_to(site)} loads {external}"


def test_every_page_is_in_the_nav():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def walk(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [x for item in node for x in walk(item)]
        if isinstance(node, dict):
            return [x for v in node.values() for x in walk(v)]
        return []

    in_nav = set(walk(config["nav"]))
    on_disk = {str(p.relative_to(DOCS)) for p in PAGES}
    assert on_disk == in_nav


# (b) ---------------------------------------------------------------------------------


def test_generated_references_are_up_to_date():
    p = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr + "\nRun `python scripts/gen_docs.py` to regenerate."


# (c) ---------------------------------------------------------------------------------


def test_cli_reference_covers_every_command_and_option():
    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    root = _help()
    commands = re.findall(r"^  (\w[\w-]*)\s", root.split("Commands:", 1)[1], flags=re.M)
    assert set(commands) >= {"analyze", "demo", "validate", "schema"}
    for command in commands:
        assert f"## parcours {command}" in page, command
        for option in set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-z])\b", _help(command))):
            assert option in page, f"{command} {option}"


def test_map_reference_covers_every_object_and_field():
    from parcours.model import map_json_schema

    page = (DOCS / "reference" / "map.md").read_text(encoding="utf-8")
    schema = map_json_schema()
    for field in schema["properties"]:
        assert f"| `{field}` |" in page, field
    for name, obj in schema["$defs"].items():
        if obj.get("type") != "object":
            continue
        section = page.split(f"\n## {name}\n", 1)
        assert len(section) == 2, f"no section for {name}"
        body = section[1].split("\n## ", 1)[0]
        for field in obj.get("properties", {}):
            assert f"| `{field}` |" in body, f"{name}.{field}"


def _keys(value: object, out: set[str]) -> set[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            _keys(v, out)
    elif isinstance(value, list):
        for item in value:
            _keys(item, out)
    return out


def test_analysis_json_reference_covers_every_key_and_table(tmp_path):
    import parcours
    from parcours.demo import write_demo

    files = write_demo(tmp_path, customers=200, seed=1)
    m = parcours.load_map(files.map_path)
    segment = m.segments[0].id
    result = parcours.analyze(files.events_path, m, by="segment", segment=segment, period="2026-01-01..2026-12-31",
                              journey_gap="60d")
    page = (DOCS / "reference" / "analysis-json.md").read_text(encoding="utf-8")
    data = json.loads(result.to_json())
    skip = set(data["input"]["columns"])  # role names: data, not structure
    missing = sorted(k for k in _keys(data, set()) - skip if f"`{k}`" not in page)
    assert not missing, f"keys of analysis.json not described in docs/reference/analysis-json.md: {missing}"
    tables = [*result.table_names(), "quarantine"]
    missing = [t for t in tables if f"`{t}.csv`" not in page]
    assert not missing, f"tables not described in docs/reference/analysis-json.md: {missing}"
    from parcours.analysis import registry  # every registered analysis, with its keys and tables

    section = page.split("\n## Analyses and what they write\n", 1)[-1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in section.splitlines() if line.startswith("| `")}
    for a in registry.analyses():
        row = rows.get(f"`{a.name}`", "") if not a.always else page
        missing = [k for k in a.keys if f"`{k}`" not in row] + [t.name for t in a.tables if f"`{t.name}.csv`" not in row]
        assert row and not missing, f"analysis {a.name}: not described with {missing} in docs/reference/analysis-json.md"


# (d) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("block", MAP_BLOCKS, ids=[b.where for b in MAP_BLOCKS])
def test_map_examples_are_valid(block):
    from parcours.model import map_from_dict

    map_from_dict(yaml.safe_load(block.code), source=block.where)


@pytest.mark.parametrize("page", RUN_PAGES, ids=[str(p.relative_to(DOCS)) for p in RUN_PAGES])
def test_examples_run(page, tmp_path, monkeypatch, request):
    blocks = [b for b in ALL_BLOCKS[page] if b.run or b.file]
    work = tmp_path / "work"
    work.mkdir()
    if any("shared/data" in b.code for b in blocks):
        shared = request.getfixturevalue("shared_data")
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "data").symlink_to(shared, target_is_directory=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "COLUMNS": "100", "NO_COLOR": "1"}
    monkeypatch.chdir(work)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for b in blocks:
        if b.file:
            target = work / b.file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(b.code, encoding="utf-8")
        if not b.run:
            continue
        if b.lang == "bash":
            p = subprocess.run(["bash", "-euo", "pipefail", "-c", b.code], cwd=work, env=env,
                               capture_output=True, text=True, timeout=600)
            assert p.returncode == b.exit_code, (
                f"{b.where}: exit code {p.returncode}, expected {b.exit_code}\n{b.code}\n"
                f"--- stdout\n{p.stdout[-3000:]}\n--- stderr\n{p.stderr[-3000:]}")
        else:
            exec(compile(b.code, b.where, "exec"), namespace)  # noqa: S102 - the docs' own examples


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci in readme.splitlines()
