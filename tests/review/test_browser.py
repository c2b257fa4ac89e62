"""The review site in a real browser: Debian's headless chromium opens the pages from ``file://``.

How the checks work. Chromium is started with ``--remote-debugging-pipe`` and driven through
the DevTools protocol over that pipe (file descriptors 3 and 4, JSON messages separated by NUL
bytes), which needs nothing beyond the standard library: no websocket, no Playwright. The test
attaches to a fresh tab and enables the ``Network``, ``Runtime``, ``Log`` and ``Page`` domains
*before* navigating, so it sees:

* every request the page makes (``Network.requestWillBeSent`` fires before any fetch, for
  ``file://`` as for ``http(s)://``); all must be ``file://`` URLs inside the rendered site, and
  as a positive control the stylesheet must be among them (so an observer that saw nothing
  would fail the test rather than pass it);
* every console message (``Runtime.consoleAPICalled``), uncaught exception
  (``Runtime.exceptionThrown``) and browser log entry (``Log.entryAdded``: failed resource
  loads, CSP and mixed-content errors); none may be an error or a warning. A positive control
  calls ``console.error`` and checks that the observer reports it.

It also clicks a column heading of the index to check that the sorting script works, and saves
screenshots (desktop 1280×900 and phone 390×844, viewport and full page) to
``tests/review/out/`` for people to look at. Skipped only when chromium is not installed.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.review.sample import sample_site
from localise.review import render_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUT = Path(__file__).resolve().parent / "out"
TIMEOUT = 30.0

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)


def _high(fd: int) -> int:
    """``fd`` moved to a descriptor number of 10 or more (close-on-exec, like ``os.pipe``)."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Browser:
    """Headless chromium driven over ``--remote-debugging-pipe`` (DevTools protocol)."""

    def __init__(self, profile: Path) -> None:
        self._log = profile.with_name(profile.name + ".log")
        # Pipe ends numbered above 9, so that moving them onto 3 and 4 cannot clobber each other.
        to_browser_read, self._to_browser, self._from_browser, from_browser_write = (
            _high(fd) for pair in (os.pipe(), os.pipe()) for fd in pair
        )
        args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "about:blank",
        ]
        # bash (dash cannot redirect descriptors above 9) puts our pipe ends on the descriptors
        # chromium expects: 3 to read commands, 4 to write replies.
        shim = f'exec "$0" "$@" 3<&{to_browser_read} 4>&{from_browser_write}'
        self._process = subprocess.Popen(
            ["/bin/bash", "-c", shim, str(CHROMIUM), *args],
            pass_fds=(to_browser_read, from_browser_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log.open("wb"),
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read(self) -> None:
        buffer = b""
        while True:
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                self._messages.put(None)
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for message in messages:
                self._messages.put(json.loads(message))

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its result; events seen meanwhile go to ``events``."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._get(deadline, method)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        """Wait for the next event ``method`` of ``session`` (earlier ones are kept)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            event = self._get(deadline, method)
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return event

    def _get(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        try:
            message = self._messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError(f"chromium did not answer {waiting_for} in {TIMEOUT}s") from None
        if message is None:
            log = self._log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"chromium exited while waiting for {waiting_for}:\n{log}")
        return message

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


class Tab:
    """One page in the browser, observed from before its first request."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = browser.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Network", "Runtime", "Log", "Page"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.call(method, self.session, **params)

    def events(self, method: str) -> list[dict[str, Any]]:
        return [
            event["params"]
            for event in self.browser.events
            if event.get("method") == method and event.get("sessionId") == self.session
        ]

    def open(self, url: str, *, width: int, height: int, mobile: bool = False) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        self.browser.events.clear()
        self.call("Page.navigate", url=url)
        self.browser.wait_for("Page.loadEventFired", self.session)
        self.evaluate("document.fonts.ready.then(() => true)")

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, *, full_page: bool = False) -> None:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": size["width"],
                "height": size["height"],
                "scale": 1,
            }
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", **params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def requests(self) -> list[str]:
        return [event["request"]["url"] for event in self.events("Network.requestWillBeSent")]

    def problems(self) -> list[str]:
        """Console errors and warnings, exceptions, failed loads and error log entries."""
        found = [
            f"console.{e['type']}: {[a.get('value', a.get('description')) for a in e['args']]}"
            for e in self.events("Runtime.consoleAPICalled")
            if e["type"] in ("error", "warning", "assert")
        ]
        found += [
            f"exception: {e['exceptionDetails'].get('text')}"
            for e in self.events("Runtime.exceptionThrown")
        ]
        found += [
            f"log {e['entry']['level']}: {e['entry'].get('text')} {e['entry'].get('url', '')}"
            for e in self.events("Log.entryAdded")
            if e["entry"]["level"] in ("error", "warning")
        ]
        found += [
            f"failed load: {e.get('errorText')}" for e in self.events("Network.loadingFailed")
        ]
        return found


@pytest.fixture(scope="module", autouse=True)
def _screenshot_folder() -> None:
    """``tests/review/out/`` ignores itself, so screenshots never end up in a commit."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / ".gitignore").write_text("*\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site written to a temporary folder, as ``localise review`` would."""
    folder = tmp_path_factory.mktemp("review")
    for path, content in render_site(sample_site()).items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return folder


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    instance = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield instance
    finally:
        instance.close()


PAGES = [
    ("index.html", "index"),
    ("ja/guides/knee.html", "ja-knee"),
    ("es/guides/knee.published.html", "es-knee-published"),
    ("ja/guides/knee.changes.html", "ja-knee-changes"),
]


@pytest.mark.parametrize(("page", "name"), PAGES, ids=[name for _, name in PAGES])
def test_page_loads_only_local_files_and_logs_no_error(
    browser: Browser, site: Path, page: str, name: str
) -> None:
    tab = Tab(browser)
    url = (site / page).as_uri()
    for width, height, mobile, label in ((1280, 900, False, "desktop"), (390, 844, True, "phone")):
        tab.open(url, width=width, height=height, mobile=mobile)
        requests = tab.requests()
        assert url in requests
        assert (site / "static" / "review.css").as_uri() in requests, "the observer saw no load"
        outside = [r for r in requests if not r.startswith(site.as_uri() + "/")]
        assert outside == [], f"{page} requested something outside the site: {outside}"
        assert tab.problems() == []
        tab.screenshot(OUT / f"{name}-{label}.png")
        tab.screenshot(OUT / f"{name}-{label}-full.png", full_page=True)

    # Positive control: the observer does report a console error.
    tab.evaluate("console.error('probe'); true")
    tab.call("Runtime.evaluate", expression="1")  # let the console event arrive first
    assert any("probe" in problem for problem in tab.problems())


def test_index_table_sorts_by_a_clicked_column(browser: Browser, site: Path) -> None:
    tab = Tab(browser)
    tab.open((site / "index.html").as_uri(), width=1280, height=900)
    rows = """[...document.querySelectorAll('#lang-ja tbody tr th[scope=row]')]
              .map(th => th.dataset.sort)"""
    assert tab.evaluate(rows) == ["guides/knee", "welcome"]
    heading = "document.querySelectorAll('#lang-ja thead th')[1]"
    assert tab.evaluate(f"{heading}.querySelector('button.sort-button') !== null")
    tab.evaluate(f"{heading}.querySelector('button').click(); true")
    assert tab.evaluate(f"{heading}.getAttribute('aria-sort')") == "ascending"
    assert tab.evaluate(rows) == ["guides/knee", "welcome"]  # 55 % before 100 %
    tab.evaluate(f"{heading}.querySelector('button').click(); true")
    assert tab.evaluate(f"{heading}.getAttribute('aria-sort')") == "descending"
    assert tab.evaluate(rows) == ["welcome", "guides/knee"]
    assert tab.problems() == []
