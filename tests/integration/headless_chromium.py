"""Headless Chromium driven over the Chrome DevTools Protocol (one websocket), offline.

The browser gets no usable network: background networking is off and every request goes to a proxy
at a closed port, so a page that fetches anything fails loudly; each request a page makes besides
its own file is recorded too. Console errors, uncaught exceptions and error log entries are kept.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection, connect

BINARIES = ("chromium", "chromium-browser")
UNREACHABLE_PROXY = "127.0.0.1:9"  # the discard port: nothing listens, every fetch fails
LOCAL_SCHEMES = ("file:", "data:", "about:")
START_TIMEOUT_SECONDS = 60
COMMAND_TIMEOUT_SECONDS = 60


def chromium_binary() -> str:
    """The Chromium on PATH; fails (not skips) without one, because CI installs it."""
    for name in BINARIES:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        f"no Chromium on PATH (looked for {', '.join(BINARIES)}): install it, e.g. "
        "`apt-get update && apt-get install -y chromium` (.ci/run does this on a fresh machine)"
    )


class Page:
    """One browser tab: send commands, wait for events, and what went wrong on the page."""

    def __init__(self, socket: ClientConnection):
        self._socket = socket
        self._ids = itertools.count(1)
        self._events: list[dict] = []
        self._session_id: str | None = None
        self.errors: list[str] = []
        self.external_requests: list[str] = []

    def attach_new_tab(self) -> None:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self._session_id = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def send(self, method: str, **params) -> dict:
        """Run a command in the tab (in the browser before a tab is attached) and return its result."""
        command_id = next(self._ids)
        command = {"id": command_id, "method": method, "params": params}
        if self._session_id:
            command["sessionId"] = self._session_id
        self._socket.send(json.dumps(command))
        while True:
            message = self._receive()
            if message.get("id") == command_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def close_browser(self) -> None:
        """Ask the browser to quit; it closes this connection without answering."""
        self._socket.send(json.dumps({"id": next(self._ids), "method": "Browser.close"}))

    def wait_for(self, event: str) -> dict:
        while True:
            for index, message in enumerate(self._events):
                if message["method"] == event:
                    return self._events.pop(index)
            self._receive()

    def open(self, url: str) -> None:
        """Navigate to `url` and wait until it has loaded."""
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"]["value"]

    def screenshot(self, path: Path) -> Path:
        """The whole page (not only the window) as PNG."""
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=clip)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def _receive(self) -> dict:
        message = json.loads(self._socket.recv(timeout=COMMAND_TIMEOUT_SECONDS))
        if "method" in message and message.get("sessionId") == self._session_id:
            self._note(message)
            self._events.append(message)
        return message

    def _note(self, event: dict) -> None:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            self.errors.append(
                "console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            )
        elif method == "Runtime.exceptionThrown":
            self.errors.append(f"exception: {params['exceptionDetails']}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")
        elif method == "Network.requestWillBeSent" and not params["request"]["url"].startswith(LOCAL_SCHEMES):
            self.external_requests.append(params["request"]["url"])


@contextmanager
def headless_chromium(workdir: Path) -> Iterator[Page]:
    """A fresh offline headless Chromium (profile and log under `workdir`) with one blank tab."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir))  # fresh: no stale DevTools port
    log = profile / "chromium.log"
    with open(log, "wb") as log_file:
        browser = subprocess.Popen(
            [
                chromium_binary(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-extensions",
                "--disable-sync",
                f"--proxy-server={UNREACHABLE_PROXY}",
                "--hide-scrollbars",
                "--window-size=1280,900",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=log_file,
            stderr=log_file,
            start_new_session=True,  # its helper processes share its group, so they end with it
        )
    try:
        with connect(_devtools_url(profile, browser, log), proxy=None, max_size=None) as socket:
            page = Page(socket)
            page.attach_new_tab()
            yield page
            page.close_browser()
        browser.wait(timeout=30)
    finally:
        if browser.poll() is None:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait(timeout=30)


def _devtools_url(profile: Path, browser: subprocess.Popen, log: Path) -> str:
    """The browser's websocket, from the DevToolsActivePort file Chromium writes once it listens."""
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        lines = port_file.read_text().split() if port_file.exists() else []
        if len(lines) == 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        if browser.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"Chromium did not open its DevTools port; its log:\n{log.read_text(errors='replace')[-3000:]}")
