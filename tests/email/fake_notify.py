"""A fake GOV.UK Notify API on 127.0.0.1, faithful to the documented v2 API (docs.notifications.service.gov.uk,
"REST API") for what actionbot uses:

- ``POST /v2/notifications/email``: 201 with ``id``, ``reference``, ``content`` (``subject``, ``body``,
  ``from_email``), ``uri``, ``template`` (``id``, ``version``, ``uri``); 400 ``ValidationError`` for a bad
  address, ``BadRequestError`` for an unknown template, missing personalisation, or (in trial mode) a
  recipient not on the guest list;
- ``GET /v2/notifications?reference=...`` (and ``template_type``, ``status``): ``{"notifications": [...],
  "links": {"current": ...}}``, newest first;
- ``GET /v2/notifications/{id}``: the notification with its ``status``; 400 for a malformed id, 404
  ``NoResultFound``.

Every request must carry ``Authorization: Bearer <JWT>``: HS256, ``iss`` the service id, ``iat`` within 30
seconds, signed with the API key's secret (PyJWT verifies it); otherwise 401/403 ``AuthError``. Errors have
Notify's shape: ``{"status_code": N, "errors": [{"error": NAME, "message": TEXT}]}``.

Test controls: ``delay_next_post`` (the notification is created, then the answer is late: a client that
timed out never hears of it); ``fail_next_posts`` and ``fail_next_status_reads`` (status, error, message)
answered instead; ``set_status``; ``trial_guest_list``.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

SERVICE_ID = "3c2b1a00-6f5e-4d3c-8b2a-19f8e7d6c5b4"
SECRET = "9d8c7b6a-5f4e-4a3b-9c2d-1e0f9a8b7c6d"
API_KEY = f"actionbot_live-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
FROM_EMAIL = "safeguarding.partnership@notifications.service.gov.uk"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TRIAL_REFUSAL = "Can't send to this recipient when service is in trial mode – see https://www.notifications.service.gov.uk/trial-mode"


class NotifyError(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


class FakeNotify:
    def __init__(self) -> None:
        self.keys = {SERVICE_ID: SECRET}
        self.templates = {TEMPLATE_ID}
        self.notifications: dict[str, dict[str, Any]] = {}  # in order of creation
        self.requests: list[tuple[str, str]] = []
        self.posts = 0
        self.delay_next_post = 0.0
        self.fail_next_posts: list[tuple[int, str, str]] = []
        self.fail_next_status_reads: list[tuple[int, str, str]] = []
        self.trial_guest_list: set[str] | None = None
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeNotify:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- what tests look at -----------------------------------------------------------------------
    def set_status(self, notification_id: str, status: str) -> None:
        with self.lock:
            self.notifications[notification_id]["status"] = status
            self.notifications[notification_id]["completed_at"] = _now()

    def with_reference(self, reference: str) -> list[dict[str, Any]]:
        with self.lock:
            return [n for n in self.notifications.values() if n["reference"] == reference]

    def to(self, address: str) -> list[dict[str, Any]]:
        with self.lock:
            return [n for n in self.notifications.values() if n["email_address"] == address]

    # -- the API ----------------------------------------------------------------------------------
    def authorise(self, header: str | None) -> None:
        if not header or not header.startswith("Bearer "):
            raise NotifyError(401, "AuthError", "Unauthorized: authentication token must be provided")
        token = header.removeprefix("Bearer ").strip()
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            raise NotifyError(403, "AuthError", "Invalid token: signature, api token is not valid") from None
        secret = self.keys.get(str(issuer))
        if secret is None:
            raise NotifyError(403, "AuthError", "Invalid token: service not found")
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["iss", "iat"]}, leeway=30)
        except jwt.InvalidSignatureError:
            raise NotifyError(403, "AuthError", "Invalid token: API key not found") from None
        except jwt.PyJWTError:
            raise NotifyError(403, "AuthError", "Invalid token: signature, api token is not valid") from None
        if abs(time.time() - int(claims["iat"])) > 30:
            raise NotifyError(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")

    def send_email(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.posts += 1
            if self.fail_next_posts:
                raise NotifyError(*self.fail_next_posts.pop(0))
        address = body.get("email_address")
        if not isinstance(address, str):
            raise NotifyError(400, "ValidationError", "email_address is a required property")
        if not _EMAIL.match(address):
            raise NotifyError(400, "ValidationError", "email_address Not a valid email address")
        template = body.get("template_id")
        if template not in self.templates:
            raise NotifyError(400, "BadRequestError", "Template not found")
        personalisation = body.get("personalisation") or {}
        for placeholder in ("subject", "body"):
            if placeholder not in personalisation:
                raise NotifyError(400, "BadRequestError", f"Missing personalisation: {placeholder}")
        if self.trial_guest_list is not None and address.lower() not in self.trial_guest_list:
            raise NotifyError(400, "BadRequestError", TRIAL_REFUSAL)
        notification_id = str(uuid.uuid4())
        record = {
            "id": notification_id,
            "reference": body.get("reference"),
            "email_address": address,
            "phone_number": None,
            "type": "email",
            "status": "sending",
            "template": {"id": template, "version": 1, "uri": f"{self.base_url}/v2/template/{template}"},
            "body": personalisation["body"],
            "subject": personalisation["subject"],
            "created_at": _now(),
            "created_by_name": None,
            "sent_at": _now(),
            "completed_at": None,
            "scheduled_for": None,
        }
        with self.lock:
            self.notifications[notification_id] = record
        return {
            "id": notification_id,
            "reference": record["reference"],
            "content": {
                "subject": record["subject"],
                "body": record["body"],
                "from_email": FROM_EMAIL,
                "one_click_unsubscribe_url": None,
            },
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": record["template"],
            "scheduled_for": None,
        }

    def list_notifications(self, query: dict[str, list[str]]) -> dict[str, Any]:
        wanted = {name: values[0] for name, values in query.items() if values}
        with self.lock:
            found = [
                dict(n)
                for n in reversed(self.notifications.values())
                if ("reference" not in wanted or n["reference"] == wanted["reference"])
                and ("template_type" not in wanted or n["type"] == wanted["template_type"])
                and ("status" not in wanted or n["status"] == wanted["status"])
            ]
        return {"notifications": found, "links": {"current": f"{self.base_url}/v2/notifications"}}

    def get_notification(self, notification_id: str) -> dict[str, Any]:
        with self.lock:
            if self.fail_next_status_reads:
                raise NotifyError(*self.fail_next_status_reads.pop(0))
        if not _UUID.match(notification_id):
            raise NotifyError(400, "ValidationError", "notification_id is not a valid UUID")
        with self.lock:
            found = self.notifications.get(notification_id)
            if found is None:
                raise NotifyError(404, "NoResultFound", "No result found")
            return dict(found)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _handler(fake: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout): what was done stays done

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            with fake.lock:
                fake.requests.append((method, url.path))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""  # read even when refused: the connection is kept
            try:
                fake.authorise(self.headers.get("Authorization"))
                if method == "POST" and url.path == "/v2/notifications/email":
                    answer = fake.send_email(json.loads(raw or b"{}"))
                    with fake.lock:
                        delay, fake.delay_next_post = fake.delay_next_post, 0.0
                    time.sleep(delay)
                    self._answer(201, answer)
                elif method == "GET" and url.path == "/v2/notifications":
                    self._answer(200, fake.list_notifications(parse_qs(url.query)))
                elif method == "GET" and url.path.startswith("/v2/notifications/"):
                    self._answer(200, fake.get_notification(url.path.rsplit("/", 1)[1]))
                else:
                    raise NotifyError(404, "NoResultFound", "No result found")
            except NotifyError as error:
                self._answer(
                    error.status,
                    {"status_code": error.status, "errors": [{"error": error.error, "message": error.message}]},
                )

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler
