"""Chromium driven through its DevTools protocol, for the PDF and the map grid's PNG.

The driver is choreographer, the one kaleido (the chart images) already brings and uses: the
exports need no other package and download no browser; Chromium is the system's. Each
:class:`Shot` opens the page in a new tab at its width, waits until the page says it is drawn,
and prints it (``Page.printToPDF``) or photographs one element (``Page.captureScreenshot``).

>>> pdf, = capture("/usr/bin/chromium", "file:///tmp/report.html",  # doctest: +SKIP
...                [Shot(width=1500, ready="document.fonts.status === 'loaded'", media="print",
...                      pdf={"paperWidth": 16.5, "paperHeight": 11.7})])
"""

from __future__ import annotations

import asyncio
import base64
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

TIMEOUT = 60.0  # seconds for a page to load and draw (a report with 7 charts takes 2-6 s)


class ChromiumError(Exception):
    """Chromium did not start, or failed a command; the message says which."""


@dataclass(frozen=True)
class Shot:
    """One capture of the page: a PDF when ``pdf`` (``Page.printToPDF``'s parameters) is given,
    else a PNG of the first element matching ``selector``."""

    width: int  # the window's width, CSS px: the page is laid out for it
    ready: str  # a JavaScript expression, true once the page is drawn
    scale: float = 1.0  # device pixels per CSS px (a PNG at 2 is twice as sharp)
    media: str = ""  # "print": laid out with the print CSS from the start (charts drawn at the printed width)
    style: str = ""  # CSS added to the page just before the capture
    pdf: dict[str, Any] | None = None
    selector: str = ""


def capture(executable: str, url: str, shots: list[Shot]) -> tuple[list[bytes], list[str]]:
    """Each shot of the page at ``url`` with one Chromium: (the PDFs' or PNGs' bytes, in order;
    the errors the page reported on its console, if any). Raises :class:`ChromiumError`."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_capture(executable, url, shots))
    with ThreadPoolExecutor(1) as pool:  # called from async code (a notebook): run in a thread of its own
        return pool.submit(asyncio.run, _capture(executable, url, shots)).result()


async def _capture(executable: str, url: str, shots: list[Shot]) -> tuple[list[bytes], list[str]]:
    import choreographer
    from choreographer.errors import BrowserClosedError, BrowserFailedError, ChannelClosedError

    problems: list[str] = []
    try:
        async with choreographer.Browser(path=executable, headless=True) as browser:
            return [await _shot(browser, url, shot, problems) for shot in shots], problems
    except (BrowserFailedError, BrowserClosedError, ChannelClosedError) as e:
        said = str(e.args[0]) if e.args else type(e).__name__  # choreographer's first sentence; the rest is its own advice
        raise ChromiumError(f"Chromium stopped or did not start ({said.rstrip('.')})") from e
    except TimeoutError as e:
        raise ChromiumError(f"the page was not drawn within {TIMEOUT:.0f} s") from e


async def _shot(browser: Any, url: str, shot: Shot, problems: list[str]) -> bytes:
    tab = await browser.create_tab("")
    session = tab.get_session()

    async def command(name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = await session.send_command(name, params)
        if "error" in answer:
            raise ChromiumError(f"{name}: {answer['error'].get('message', answer['error'])}")
        return answer.get("result", {})

    async def console(event: dict[str, Any]) -> None:
        if event["params"].get("type") == "error":
            problems.append(" ".join(str(a.get("value", a.get("description", ""))) for a in event["params"]["args"]))

    async def exception(event: dict[str, Any]) -> None:
        details = event["params"]["exceptionDetails"]
        problems.append(details.get("exception", {}).get("description") or details.get("text", "an exception"))

    session.subscribe("Runtime.consoleAPICalled", console)
    session.subscribe("Runtime.exceptionThrown", exception)
    try:
        await command("Page.enable")
        await command("Runtime.enable")
        await command("Emulation.setDeviceMetricsOverride",
                      {"width": shot.width, "height": 1000, "deviceScaleFactor": shot.scale, "mobile": False})
        await command("Emulation.setScrollbarsHidden", {"hidden": True})  # the page gets the whole width
        if shot.media:
            await command("Emulation.setEmulatedMedia", {"media": shot.media})
        loaded = session.subscribe_once("Page.loadEventFired")
        await command("Page.navigate", {"url": url})
        await asyncio.wait_for(loaded, TIMEOUT)
        await _evaluate(command, f"new Promise(done => {{ const t = setInterval(() => {{ if ({shot.ready}) "
                                 f"{{ clearInterval(t); done(true); }} }}, 50); }})")
        if shot.style:
            await _evaluate(command, "(() => { const s = document.createElement('style'); s.textContent = "
                                     f"{_js_string(shot.style)}; document.head.append(s); }})()")
        if shot.pdf is not None:
            return base64.b64decode((await command("Page.printToPDF", shot.pdf))["data"])
        box = await _evaluate(command, f"(() => {{ const r = document.querySelector({_js_string(shot.selector)})"
                                       ".getBoundingClientRect(); return {x: r.left + scrollX, y: r.top + scrollY, "
                                       "width: r.width, height: r.height}; })()")
        shotted = await command("Page.captureScreenshot", {"format": "png", "clip": {**box, "scale": 1},
                                                           "captureBeyondViewport": True})
        return base64.b64decode(shotted["data"])
    finally:
        await tab.close()


async def _evaluate(command: Any, expression: str) -> Any:
    answer = await asyncio.wait_for(command("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                                 "returnByValue": True}), TIMEOUT)
    if "exceptionDetails" in answer:
        details = answer["exceptionDetails"]
        raise ChromiumError(details.get("exception", {}).get("description") or details.get("text", "script failed"))
    return answer["result"].get("value")


def _js_string(text: str) -> str:
    return json.dumps(text)

