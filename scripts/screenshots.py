"""Screenshots of a report at desktop and laptop widths, and its PDF, with Debian's Chromium.

    python scripts/screenshots.py REPORT.html OUT_DIR

Writes desktop.png (1920 wide), laptop.png (1366 wide), a screenshot per segment, and
report.pdf (A3 landscape); prints the console errors and network requests seen (there must
be none).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from parcours.report.export import CHROMIUM_ARGS as ARGS  # the flags parcours export uses


def main(report: str, out: str) -> int:
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    url = Path(report).resolve().as_uri()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, width in (("desktop", 1920), ("laptop", 1366)):
            page = browser.new_page(viewport={"width": width, "height": 1000})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("request", lambda r: problems.append(f"request {r.url}") if not r.url.startswith(("file:", "data:")) else None)
            page.goto(url)
            page.wait_for_selector("#all-funnel .main-svg")
            page.screenshot(path=out_dir / f"{name}.png", full_page=True)
            if name == "desktop":
                options = page.eval_on_selector_all("#group option", "os => os.map(o => o.value)")
                for v in options[1:2]:
                    page.select_option("#group", v)
                    page.wait_for_timeout(500)
                    page.screenshot(path=out_dir / f"segment-{v}.png", full_page=False)
                page.select_option("#group", "all")
                page.emulate_media(media="print")
                page.pdf(path=out_dir / "report.pdf", format="A3", landscape=True, print_background=True)
            page.close()
        browser.close()
    for x in problems:
        print(x)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
