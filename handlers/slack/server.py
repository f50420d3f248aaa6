"""HTTP mode: the Bolt app behind a small threaded WSGI server at ``/slack/events``.

Bolt's own ``app.start()`` is a single-threaded development server, and the WSGI servers worth having
in production (gunicorn, waitress) would be a new dependency for a mode most councils will not use
(Socket Mode is the default). The standard library's wsgiref with a thread per request is enough for a
bot's traffic; put a TLS-terminating reverse proxy in front of it (docs/slack.md).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request.internals import parse_body

from handlers.slack.payloads import shape_problem

log = logging.getLogger("actionbot.slack.http")

PATH = "/slack/events"
#: Slack's payloads are a few kilobytes; refuse anything absurd before reading it.
MAX_BODY = 1_000_000


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    """Access log lines at debug level, request line only (no bodies, no query strings)."""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.command, self.path.split("?", 1)[0])


def _malformed(body: bytes, content_type: str | None) -> str | None:
    """Why a body cannot be a Slack request (it is not UTF-8, its JSON does not parse, or its fields do
    not have Slack's documented types), or None. Bolt would otherwise fail on it with a 500."""
    if not body:
        return None  # Bolt answers an empty body itself (401: it carries no valid signature)
    try:
        parsed = parse_body(body.decode("utf-8"), content_type)
    except (UnicodeDecodeError, ValueError):
        return "the body is not UTF-8 form data or JSON"
    return shape_problem(parsed)


def wsgi_app(app: App, path: str = PATH) -> WSGIApplication:
    bolt = SlackRequestHandler(app, path)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            start_response("413 Content Too Large", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"request too large\n"]
        body = environ["wsgi.input"].read(length) if length else b""
        if problem := _malformed(body, environ.get("CONTENT_TYPE")):
            # Nothing reaches Bolt or a listener; the reason names no values, so it is safe to log.
            log.warning("refused a malformed request: %s", problem)
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"malformed request\n"]
        environ["wsgi.input"] = io.BytesIO(body)
        return bolt(environ, start_response)

    return application


def serve_http(app: App, host: str, port: int, path: str = PATH) -> ThreadingWSGIServer:
    """A server bound to (host, port), not yet serving: call ``serve_forever`` (port 0 picks a free one)."""
    server = make_server(host, port, wsgi_app(app, path), server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    assert isinstance(server, ThreadingWSGIServer)
    return server
