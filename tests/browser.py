"""A small headless-Chromium driver for the book's browser test, over the DevTools protocol.

Chromium is started with ``--remote-debugging-pipe``: commands go to its fd 3 and replies and
events come back on its fd 4, as NUL-separated JSON. No WebDriver, no port, no extra package.

Every request a page makes is paused (``Fetch`` domain) and answered here: requests under the
local origin (the built book's folder, as a ``file://`` URL) continue; with a mirror,
``https://cdn.jsdelivr.net/npm/<package>@<version>/<path>`` is answered from the packages that
``tools/install_test_browser.py`` unpacked; anything else is refused and recorded, so a page
that needs the network fails the test instead of silently rendering without its scripts. The
book's own test uses no mirror: the built pages must work with the network blocked entirely.
"""

from __future__ import annotations

import base64
import fcntl
import json
import mimetypes
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

CDN_PREFIX = "https://cdn.jsdelivr.net/npm/"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]


class BrowserError(RuntimeError):
    pass


def split_cdn_url(url: str) -> tuple[str, str, str] | None:
    """``https://cdn.jsdelivr.net/npm/@scope/name@1.2.3/dist/x.js`` → (``@scope/name``, ``1.2.3``, ``dist/x.js``)."""
    if not url.startswith(CDN_PREFIX):
        return None
    rest = unquote(urlparse(url).path)[len("/npm/") :]
    scope = ""
    if rest.startswith("@"):
        scope, rest = rest.split("/", 1)
        scope += "/"
    spec, _, path = rest.partition("/")
    name, sep, version = spec.partition("@")
    if not sep or not version or not path:
        return None
    return scope + name, version, path


class CdnMirror:
    """Files of pinned npm packages, looked up by their jsDelivr URL."""

    def __init__(self, root: Path):
        self.root = root

    def lookup(self, url: str) -> Path | None:
        parts = split_cdn_url(url)
        if parts is None:
            return None
        name, version, path = parts
        base = (self.root / f"{name}@{version}").resolve()
        target = (base / path).resolve()
        if base not in target.parents or not target.is_file():
            return None
        return target


@dataclass
class PageReport:
    """What happened while one page loaded."""

    url: str
    errors: list[str] = field(default_factory=list)  # JS exceptions, console errors, failed loads
    blocked: list[str] = field(default_factory=list)  # requests that would have needed the network
    served_from_mirror: list[str] = field(default_factory=list)


class Chromium:
    """One headless Chromium with one tab; use as a context manager."""

    def __init__(
        self, executable: str, mirror: CdnMirror | None, local_origin: str, width: int = 1280, height: int = 900
    ):
        self.executable = executable
        self.mirror = mirror
        self.local_origin = local_origin.rstrip("/")
        self.size = (width, height)
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict] = []
        self._replies: dict[int, dict] = {}
        self.report = PageReport(url="")

    # -- process and pipe -----------------------------------------------------------------
    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="dlcourse-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes():  # runs in the child: put the two pipe ends at the fds Chromium reads/writes
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self._log = open(Path(self._profile) / "chromium.log", "wb")
        self._process = subprocess.Popen(
            [
                self.executable,
                *FLAGS,
                f"--user-data-dir={self._profile}",
                f"--window-size={self.size[0]},{self.size[1]}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            preexec_fn=wire_pipes,
            close_fds=False,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method, params in [
            ("Page.enable", {}),
            ("Runtime.enable", {}),
            ("Log.enable", {}),
            ("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}),
            (
                "Emulation.setDeviceMetricsOverride",
                {"width": self.size[0], "height": self.size[1], "deviceScaleFactor": 1, "mobile": False},
            ),
        ]:
            self.send(method, params, session=True)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001 - closing is best effort; the process is killed below
            pass
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for fd in (self._to_browser, self._from_browser):
            os.close(fd)
        self._log.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError("timed out waiting for Chromium")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium exited (code {self._process.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: bool = False, timeout: float = 60) -> dict:
        """Send one command and return its result.

        Paused requests are answered as they arrive (a page waiting on a script cannot answer an
        evaluation until the script is served); other events are queued for ``_handle_events``.
        Answering a request sends commands of its own, so replies are kept by id.
        """
        self._next_id += 1
        command_id = self._next_id
        message = {"id": command_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while command_id not in self._replies:
            incoming = self._read_message(deadline)
            if "id" in incoming:
                self._replies[incoming["id"]] = incoming
            elif incoming.get("method") == "Fetch.requestPaused":
                self._answer(incoming["params"])
            else:
                self._events.append(incoming)
        reply = self._replies.pop(command_id)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def pump(self, seconds: float) -> None:
        """Handle events for a while (requests keep being answered)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self._events.append(self._read_message(deadline))
            except BrowserError as error:
                if "timed out" in str(error):
                    break
                raise
            self._handle_events()
        self._handle_events()

    # -- events ---------------------------------------------------------------------------
    def _handle_events(self) -> None:
        while self._events:
            event = self._events.pop(0)
            method, params = event.get("method"), event.get("params", {})
            if method == "Fetch.requestPaused":
                self._answer(params)
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text", "")
                frames = details.get("stackTrace", {}).get("callFrames", [])
                where = f" at {frames[0]['url']}:{frames[0]['lineNumber'] + 1}" if frames else ""
                self.report.errors.append(f"uncaught: {text.splitlines()[0] if text else details}{where}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                self.report.errors.append(f"console.{params['type']}: {args}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                entry = params["entry"]
                self.report.errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
            elif method == "Page.loadEventFired":
                self._loaded = True

    def _answer(self, params: dict) -> None:
        request_id, url = params["requestId"], params["request"]["url"]
        if url.startswith((self.local_origin, "data:", "about:", "blob:")):
            self.send("Fetch.continueRequest", {"requestId": request_id}, session=True)
            return
        path = self.mirror.lookup(url) if self.mirror is not None else None
        if path is None:
            self.report.blocked.append(url)
            self.send("Fetch.failRequest", {"requestId": request_id, "errorReason": "BlockedByClient"}, session=True)
            return
        self.report.served_from_mirror.append(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        headers = [{"name": "Content-Type", "value": mime}, {"name": "Access-Control-Allow-Origin", "value": "*"}]
        self.send(
            "Fetch.fulfillRequest",
            {
                "requestId": request_id,
                "responseCode": 200,
                "responseHeaders": headers,
                "body": base64.b64encode(path.read_bytes()).decode(),
            },
            session=True,
        )

    # -- page API -------------------------------------------------------------------------
    def load(self, url: str, timeout: float = 60) -> PageReport:
        """Navigate to ``url`` and return once its load event has fired."""
        self.report = PageReport(url=url)
        self._loaded = False
        self._events.clear()
        self.send("Page.navigate", {"url": url}, session=True)
        deadline = time.monotonic() + timeout
        while not self._loaded:
            self._handle_events()
            if self._loaded:
                break
            if time.monotonic() > deadline:
                raise BrowserError(f"{url} did not finish loading in {timeout} s")
            self._events.append(self._read_message(deadline))
        return self.report

    def evaluate(self, expression: str, timeout: float = 60):
        """The value of a JavaScript expression (promises are awaited); requests keep being served."""
        self._handle_events()
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session=True,
            timeout=timeout,
        )
        self._handle_events()
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]}…: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20, interval: float = 0.1):
        """Poll a JavaScript expression until it is truthy; return its last value either way."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value or time.monotonic() > deadline:
                return value
            self.pump(interval)

    def screenshot(self, path: Path, max_height: int = 40000) -> None:
        """The whole page (up to ``max_height`` CSS pixels), as PNG or JPEG by the file's suffix."""
        metrics = self.send("Page.getLayoutMetrics", session=True)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        clip = {"x": 0, "y": 0, "width": self.size[0], "height": min(max(size["height"], 1), max_height), "scale": 1}
        options = {"format": "png"} if path.suffix == ".png" else {"format": "jpeg", "quality": 70}
        data = self.send(
            "Page.captureScreenshot",
            {**options, "clip": clip, "captureBeyondViewport": True},
            session=True,
            timeout=120,
        )["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
