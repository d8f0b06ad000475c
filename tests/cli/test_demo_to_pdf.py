"""A new user's first path (issue 23): the demo, then the commands it prints, copied as printed
from a shell where the virtual environment is not active, end with a PDF of the demo map; every
page of the PDF carries content, none only the footer. Real Chromium and poppler; no Playwright."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from parcours.cli.invocation import parcours_program

ROOT = Path(__file__).resolve().parents[2]
FOOTER = re.compile(r"Produit par Parcours \S+ · (\d+)/(\d+)")


def need(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is missing in CI (.ci/run installs poppler-utils and chromium)")
        pytest.skip(f"{tool} is not installed (Debian: apt install poppler-utils chromium)")
    return found


def pages(pdf: Path) -> list[str]:
    """Each page's text on one line."""
    text = subprocess.run([need("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def check_every_page_has_content(pdf: Path, title: str) -> list[str]:
    """Each page: its footer (the map's name, "Produit par Parcours", page i of n) and, besides
    it, content; returns the pages without their footer."""
    found = pages(pdf)
    assert found, f"{pdf} has no page"
    bodies = []
    for i, page in enumerate(found, start=1):
        footer = FOOTER.search(page)
        assert footer and footer.groups() == (str(i), str(len(found))), f"page {i}: {page[-120:]!r}"
        body = FOOTER.sub("", page).replace(title, "").strip()
        assert len(body) > 40, f"page {i} of {len(found)} holds only its footer: {page!r}"
        bodies.append(body)
    return bodies


@pytest.fixture(scope="module")
def first_steps(tmp_path_factory):
    """In a fresh folder with ``.venv`` (this test run's environment) and a PATH without it, as the
    README's first command leaves a user: ``.venv/bin/parcours demo``, then what it printed."""
    need("chromium")
    program = Path(sys.executable).parent / "parcours"
    assert program.exists(), f"{program}: the parcours command of this environment (pip install -e .)"
    home = tmp_path_factory.mktemp("new-user")
    (home / ".venv").symlink_to(Path(sys.executable).parent.parent)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "COLUMNS": "80", "NO_COLOR": "1", "LANG": "C.UTF-8"}
    demo = subprocess.run([".venv/bin/parcours", "demo", "--out", "my demo", "--customers", "600"], cwd=home,
                          capture_output=True, text=True, env=env)
    assert demo.returncode == 0, demo.stderr
    printed = [line.strip() for line in demo.stderr.splitlines() if line.strip().startswith(".venv/bin/parcours ")]
    assert len(printed) == 2, demo.stderr  # analyse again, export
    return home, env, printed


def test_the_demo_prints_commands_for_this_shell(first_steps):
    home, _env, (analyse, export) = first_steps
    # the venv is not active: its parcours by path; the folder with a space is quoted once
    assert analyse == (".venv/bin/parcours analyze 'my demo/events.csv' --map 'my demo/maison_lumiere.yaml' "
                       "--feedback 'my demo/feedback.csv' --by segment --out 'my demo/results'")
    assert export == (".venv/bin/parcours export --map 'my demo/maison_lumiere.yaml' --results 'my demo/results' "
                      "--out 'my demo/exports'")


def test_the_printed_export_runs_as_printed_and_writes_the_pdf(first_steps):
    home, env, (_analyse, export) = first_steps
    p = subprocess.run(["bash", "-c", export], cwd=home, capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    out = home / "my demo" / "exports"
    for name in ("map.pdf", "map-grid.png", "map-grid.svg", "report.html", "map.md", "charts/funnel.png"):
        assert (out / name).stat().st_size > 1000 or name == "map.md", name
    bodies = check_every_page_has_content(out / "map.pdf", "Maison Lumière — parcours client omnicanal")
    assert "Carte du parcours client" in bodies[0]
    assert "Comparaison des segments" in bodies[-1]  # the last chart, on the last page with its footer


def test_the_printed_analyze_runs_as_printed(first_steps):
    home, env, (analyse, _export) = first_steps
    p = subprocess.run(["bash", "-c", analyse], cwd=home, capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    assert (home / "my demo" / "results" / "analysis.json").exists()


def test_no_page_of_the_pdf_holds_only_the_footer(tmp_path):
    """Demos of two sizes, printed on both papers: the last page ends with content, never a page
    with only "Produit par Parcours" (the page footer is in each page's margin, not after the charts)."""
    need("chromium")
    import parcours
    from parcours.demo import write_demo
    from parcours.report.export import export_all

    for customers, seed in ((2000, 7), (300, 3)):  # 2000: the charts filled the last page, the footer went on a 6th
        files = write_demo(tmp_path / f"demo{customers}", customers=customers, seed=seed)
        result = parcours.analyze(files.events_path, files.map_path, by="segment", feedback=files.feedback_path)
        m = parcours.load_map(files.map_path)
        for paper in ("a3", "a4"):
            written = export_all(result.data, m, tmp_path / f"{paper}-{customers}", lang="fr", paper=paper,
                                 formats=["pdf"])
            check_every_page_has_content(written["map.pdf"], "Maison Lumière — parcours client omnicanal")


def test_export_needs_no_playwright_and_its_tools_are_in_the_base_install(first_steps, tmp_path):
    """The PDF and the images are made with what ``pip install parcours`` brings (kaleido and its
    driver choreographer), even where Playwright cannot be imported."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=!\[ ;]", d, maxsplit=1)[0] for d in deps}
    assert {"kaleido", "choreographer", "plotly"} <= names and "playwright" not in names
    home, _env, _printed = first_steps
    code = ("import sys\nsys.modules['playwright'] = None  # import playwright fails, as in a base install\n"
            "from parcours.cli.app import main\nsys.argv = ['parcours', *sys.argv[1:]]\nmain()\n")
    p = subprocess.run([sys.executable, "-c", code, "export", "--map", str(home / "my demo" / "maison_lumiere.yaml"),
                        "--results", str(home / "my demo" / "results"), "--out", str(tmp_path / "x"),
                        "--only", "pdf,png"], capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "120"})
    assert p.returncode == 0, p.stderr
    assert pages(tmp_path / "x" / "map.pdf") and (tmp_path / "x" / "map-grid.png").stat().st_size > 10_000


def test_the_program_printed_is_the_one_this_shell_runs(tmp_path, monkeypatch):
    """``parcours`` when it is the one on PATH; else the path of the one running, relative to the
    current folder when inside it; ``python -m parcours`` as it was run."""
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    script = venv_bin / "parcours"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script), "demo"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert parcours_program() == ".venv/bin/parcours"
    monkeypatch.setenv("PATH", f"{venv_bin}:/usr/bin:/bin")  # the venv is active
    assert parcours_program() == "parcours"
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # outside the venv's folder, the venv not active: its absolute path
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert parcours_program() == str(script)
    main = Path(__import__("parcours").__file__).parent / "__main__.py"
    monkeypatch.setattr(sys, "argv", [str(main), "demo"])
    assert parcours_program().endswith(" -m parcours")
