"""The generated report in a real browser: headless Chromium over the DevTools protocol.

Checks that every chart renders with a non-zero size, that there are no JavaScript or
console errors, and that the page requests nothing but itself (no network). Needs
Debian's `chromium` (`scripts/ensure-chromium` installs it) and `websocket-client`.
Without them the test is skipped locally and fails in CI (CI=true).
Set REPORT_SCREENSHOT=/path/shot.png to keep a full-page screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.report.inputs import SECTIONS, run_report

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                  "--remote-debugging-port=0"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str):
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: the browser test must run; see scripts/ensure-chromium)")
    pytest.skip(f"{reason}; run scripts/ensure-chromium to install it")


def chromium_binary() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


class Browser:
    """A headless Chromium and one page, driven over the Chrome DevTools protocol."""

    def __init__(self, binary: str, profile: Path, timeout: float = 30):
        import websocket

        self.timeout = timeout
        self.events: list[dict] = []
        self._id = 0
        self.proc = subprocess.Popen([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not port_file.exists() or not port_file.read_text().strip():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode(errors="replace")[-2000:] if self.proc.stderr else ""
                self.close()
                raise RuntimeError(f"chromium did not start: {err}")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=timeout) as resp:
            targets = json.load(resp)
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=timeout, suppress_origin=True)

    def send(self, method: str, **params):
        self._id += 1
        my_id = self._id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, event: str) -> dict:
        for msg in self.events:
            if msg["method"] == event:
                return msg
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == event:
                    return msg
        raise TimeoutError(event)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


def load_report(html: Path, profile: Path, width: int = 1280) -> tuple[Browser, dict]:
    """Open `html` in a fresh headless Chromium; return the browser and what the page shows."""
    binary = chromium_binary()
    if binary is None:
        _unavailable("chromium is not installed")
    try:
        import websocket  # noqa: F401
    except ImportError:
        _unavailable("websocket-client is not installed (pip install websocket-client)")
    browser = Browser(binary, profile)
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(f"{domain}.enable")
    browser.send("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False)
    browser.send("Page.navigate", url=html.resolve().as_uri())
    browser.wait_for("Page.loadEventFired")
    state = browser.evaluate("""(() => {
        const charts = [...document.querySelectorAll('figure.chart')].map(f => {
            const svg = f.querySelector('svg');
            const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
            const texts = svg ? [...svg.querySelectorAll('text')] : [];
            return {name: f.dataset.chart, svg: !!svg, width: box.width, height: box.height,
                    marks: svg ? svg.querySelectorAll('path, use, image, rect').length : 0,
                    texts: texts.length,
                    visibleTexts: texts.filter(t => { const b = t.getBBox(); return b.width > 0 && b.height > 0; }).length};
        });
        return {charts, title: document.title,
                headings: [...document.querySelectorAll('section > h2')].map(h => h.textContent.trim()),
                scripts: document.scripts.length, bodyWidth: document.body.scrollWidth,
                pageHeight: document.documentElement.scrollHeight};
    })()""")
    return browser, state


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    result = run_report(folder / "run")
    browser, state = load_report(result["html"], folder / "profile")
    yield result, browser, state
    browser.close()


def test_every_chart_renders_with_a_size(opened):
    result, _, state = opened
    names = {c["name"] for c in state["charts"]}
    on_disk = {p.stem for p in result["figures"].glob("*.svg")}
    assert names == on_disk and len(names) >= 8
    for chart in state["charts"]:
        assert chart["svg"], chart["name"]
        assert chart["width"] > 100 and chart["height"] > 80, chart
        assert chart["marks"] >= 3 and chart["texts"] > 3, chart
        assert chart["visibleTexts"] == chart["texts"], chart


def test_no_javascript_errors_and_no_network(opened):
    result, browser, state = opened
    errors = [e for e in browser.events if e["method"] == "Runtime.exceptionThrown"]
    errors += [e for e in browser.events if e["method"] == "Runtime.consoleAPICalled"
               and e["params"].get("type") in ("error", "assert")]
    errors += [e for e in browser.events if e["method"] == "Log.entryAdded"
               and e["params"]["entry"].get("level") == "error"]
    assert errors == []
    requests = [e["params"]["request"]["url"] for e in browser.events if e["method"] == "Network.requestWillBeSent"]
    assert requests and all(u.startswith(("file:", "data:")) for u in requests), requests
    failed = [e for e in browser.events if e["method"] == "Network.loadingFailed"]
    assert failed == []


def test_page_structure_and_layout(opened):
    _, browser, state = opened
    assert state["title"] == "Testrapport samenspel"
    assert state["headings"] == SECTIONS
    # Nothing wider than the viewport: wide tables scroll inside their wrapper.
    assert state["bodyWidth"] <= 1280
    shot = browser.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    target = os.environ.get("REPORT_SCREENSHOT")
    if target:
        Path(target).write_bytes(png)


def test_long_file_and_wave_names_wrap_instead_of_being_cut_off(tmp_path):
    """Real exports and regulations have long names without spaces; at 1400 px every table fits."""
    import pandas as pd

    from tests.report.inputs import build_documents, build_waves, run_on

    waves = {f"pre{i}_survey_88316{i}_PUBLIC_export_met_een_lange_naam": [
        (f"R{j}", "extraQuestJustificat_vraag1", ["regie"] if j % 3 else []) for j in range(25)] for i in (1, 2)}
    df, acc = build_waves(waves)
    docs, files = build_documents({
        f"documents/GR_Regeling_Regionaal_Historisch_Centrum_{place}_met_een_heel_lange_bestandsnaam_BWBR00{n}.md":
            [["regie"], ["netwerker"]] for place, n in (("Gelderland_Oost", 11), ("Groningen_Stad", 12))})
    acc["files"] += files
    acc["totals"]["passages"] += len(docs)
    result = run_on(tmp_path / "run", pd.concat([df, docs], ignore_index=True), acc)
    browser, state = load_report(result["out"] / "index.html", tmp_path / "profile", width=1400)
    try:
        cut = browser.evaluate("""[...document.querySelectorAll('.table-wrap')]
            .filter(w => w.scrollWidth > w.clientWidth + 1)
            .map(w => (w.closest('section') || {}).id + ': ' + w.querySelector('tr').textContent.trim().slice(0, 60))""")
    finally:
        browser.close()
    assert state["bodyWidth"] <= 1400
    assert cut == []
