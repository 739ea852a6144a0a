"""`watch --preview`: the preview page served on 127.0.0.1, reloaded after every rebuild.

The page is preview.py's, with a small script added: it listens for server-sent events
on /events and reloads when a rebuild has made a newer page, then scrolls to the card
that changed (each card is an element `card-<id>`). A failed rebuild keeps the last
good cards and shows the errors above them. Only the standard library's server is
used; MathJax and the media are served from disk, and the page asks for nothing else.
"""

from __future__ import annotations

import html
import json
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .preview import preview_html
from .watch import Outcome, Written

KEEPALIVE = 15.0  # seconds between comments on an idle event stream

RELOAD_CSS = """
#pv-errors { margin: 0; padding: 0.8em 1em; background: #ffe0e0; color: #800000;
  font: 14px/1.4 ui-monospace, monospace; white-space: pre-wrap; }
.pv-card { scroll-margin-top: 4em; }
.pv-card.pv-changed { outline: 3px solid #e08000; outline-offset: 4px; }
"""

RELOAD_JS = """
(function () {
  var state = STATE;
  // The reload scrolls to the changed card itself: no restoring the old position over it.
  history.scrollRestoration = "manual";
  if (state.errors.length) {
    var box = document.createElement("pre");
    box.id = "pv-errors";
    box.textContent = state.errors.map(function (e) { return "Error: " + e; }).join("\\n");
    document.body.insertBefore(box, document.body.firstChild);
  }
  // The page's own switches (filters, night mode, phone width) stay as the author set them.
  function controls() {
    return ["pv-section", "pv-tag", "pv-type", "pv-night", "pv-phone"]
      .map(function (id) { return document.getElementById(id); }).filter(Boolean);
  }
  var kept = JSON.parse(sessionStorage.getItem("pv-controls") || "{}");
  sessionStorage.removeItem("pv-controls");
  controls().forEach(function (control) {
    if (!(control.id in kept)) { return; }
    if (control.type === "checkbox") {
      control.checked = kept[control.id];
    } else if (Array.from(control.options).some(function (o) { return o.value === kept[control.id]; })) {
      control.value = kept[control.id];
    }
    if (control.onchange) { control.onchange(); }
  });
  function scroll() {
    var id = sessionStorage.getItem("pv-scroll");
    sessionStorage.removeItem("pv-scroll");
    var card = id && document.getElementById("card-" + id);
    if (card) {
      card.classList.add("pv-changed");
      card.scrollIntoView({block: "start"});
    }
    window.pvScrolled = id || "";
  }
  (window.pvReady || Promise.resolve()).then(scroll, scroll);
  var events = new EventSource("/events");
  events.onmessage = function (event) {
    var now = JSON.parse(event.data);
    if (now.version === state.version) { return; }
    events.close();
    if (now.card) { sessionStorage.setItem("pv-scroll", now.card); }
    var values = {};
    controls().forEach(function (control) {
      values[control.id] = control.type === "checkbox" ? control.checked : control.value;
    });
    sessionStorage.setItem("pv-controls", JSON.stringify(values));
    location.reload();
  };
})();
"""

WAITING_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>deckbuild watch</title></head>
<body class="pv">
<main id="pv-cards"><p>No package has been built yet.</p></main>
</body>
</html>
"""


class LivePreview:
    """The page of the last good build, its media and MathJax, on 127.0.0.1:`port`."""

    def __init__(self, mathjax: Path, port: int = 0) -> None:
        self._mathjax = (mathjax / "es5").resolve()
        self._changed = threading.Condition()
        self._version, self._card = 0, ""
        self._errors: tuple[str, ...] = ()
        self._page = _with_reload(WAITING_PAGE, 0, ())
        self._base = WAITING_PAGE
        self._media: dict[str, Path] = {}
        self.closed = False
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()
        self._server.shutdown()
        self._server.server_close()

    def publish(self, outcome: Outcome, written: Written | None) -> None:
        """After a rebuild: a new page (the last good cards, and the errors if it failed)."""
        with self._changed:
            if outcome.ok and written is not None:
                self._base = preview_html(written.config, written.notetype, written.notes,
                                          written.others)
                self._media = {m.name: Path(m.data_path) for m in written.media}
            self._version += 1
            self._card = outcome.changes.first if outcome.ok else ""
            self._errors = outcome.errors
            self._page = _with_reload(self._base, self._version, self._errors)
            self._changed.notify_all()

    def page(self) -> bytes:
        with self._changed:
            return self._page.encode("utf-8")

    def next_state(self, seen: int | None) -> dict[str, object] | None:
        """The state once it differs from version `seen` (None after KEEPALIVE seconds)."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self._version != seen, KEEPALIVE)
            if self._version == seen or self.closed:
                return None
            return {"version": self._version, "card": self._card}

    def file(self, path: str) -> Path | None:
        """The file behind a URL path: MathJax's bundle and fonts, or a card's media."""
        if path.startswith("/mathjax/"):
            found = (self._mathjax / path.removeprefix("/mathjax/")).resolve()
            return found if found.is_relative_to(self._mathjax) and found.is_file() else None
        with self._changed:
            return self._media.get(path.removeprefix("/"))


def _with_reload(page: str, version: int, errors: tuple[str, ...]) -> str:
    """The page with the reloading script (and the errors it shows) before </body>."""
    state = json.dumps({"version": version, "errors": list(errors)}).replace("</", "<\\/")
    head, body_end, tail = page.rpartition("</body>")
    return (f"{head}<style>{RELOAD_CSS}</style>\n"
            f"<script>{RELOAD_JS.replace('STATE', state)}</script>\n{body_end}{tail}")


def _handler(preview: LivePreview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            path = unquote(urlsplit(self.path).path)
            if path in ("/", "/index.html"):
                self._send(preview.page(), "text/html; charset=utf-8")
            elif path == "/events":
                self._events()
            elif (found := preview.file(path)) is not None:
                kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                self._send(found.read_bytes(), kind)
            else:
                self.send_error(404, f"not here: {html.escape(path)}")

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen: int | None = None
            try:
                while not preview.closed:
                    state = preview.next_state(seen)
                    if state is None:
                        self.wfile.write(b": idle\n\n")
                    else:
                        seen = state["version"]  # type: ignore[assignment]
                        self.wfile.write(f"data: {json.dumps(state)}\n\n".encode())
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return  # the terminal shows rebuilds, not requests

    return Handler
