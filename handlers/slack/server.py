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
from slack_sdk.signature import SignatureVerifier

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
    """Why a signed body still cannot be a Slack request (it is not UTF-8, its JSON does not parse, or its
    fields do not have Slack's documented types), or None. Bolt would otherwise fail on it with a 500."""
    try:
        parsed = parse_body(body.decode("utf-8"), content_type)
    except (UnicodeDecodeError, ValueError):
        return "the body is not UTF-8 form data or JSON"
    return shape_problem(parsed)


def _signed(verifier: SignatureVerifier, body: bytes, environ: WSGIEnvironment) -> bool:
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    if not timestamp or not signature:
        return False
    try:
        return verifier.is_valid(body, timestamp, signature)
    except ValueError:  # a timestamp that is not a number
        return False


def _refuse(start_response: StartResponse, status: str, text: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text]


def wsgi_app(app: App, signing_secret: str, path: str = PATH) -> WSGIApplication:
    """The Bolt app behind three checks, in this order: the body's size, Slack's signature (with its
    five-minute replay window), and the payload's shape. Bolt verifies the signature again itself."""
    bolt = SlackRequestHandler(app, path)
    verifier = SignatureVerifier(signing_secret)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            return _refuse(start_response, "413 Content Too Large", b"request too large\n")
        body = environ["wsgi.input"].read(length) if length else b""
        if environ.get("PATH_INFO") == path and environ.get("REQUEST_METHOD") == "POST":
            # An unsigned, forged or replayed request is refused before anything reads its body.
            if not _signed(verifier, body, environ):
                return _refuse(start_response, "401 Unauthorized", b"invalid request\n")
            if problem := _malformed(body, environ.get("CONTENT_TYPE")):
                # Nothing reaches Bolt or a listener; the reason names no values, so it is safe to log.
                log.warning("refused a malformed request: %s", problem)
                return _refuse(start_response, "400 Bad Request", b"malformed request\n")
        environ["wsgi.input"] = io.BytesIO(body)
        return bolt(environ, start_response)

    return application


def serve_http(app: App, signing_secret: str, host: str, port: int, path: str = PATH) -> ThreadingWSGIServer:
    """A server bound to (host, port), not yet serving: call ``serve_forever`` (port 0 picks a free one)."""
    application = wsgi_app(app, signing_secret, path)
    server = make_server(host, port, application, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    assert isinstance(server, ThreadingWSGIServer)
    return server
