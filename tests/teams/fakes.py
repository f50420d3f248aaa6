"""Fake Microsoft services as real HTTP servers on 127.0.0.1 (free ports): the Bot Connector service
(with the Bot Framework's signing keys for inbound tokens) and Microsoft Graph.

They answer with the documented request and response shapes, record every call, and can be told to
answer 429 with Retry-After, a 5xx, or to be down (connection refused) for a while. For load, each call
can take ``latency`` seconds, and ``throttles`` answer 429 with Retry-After past a documented rate.
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import json
import math
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

BOT_ISSUER = "https://api.botframework.com"


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes
    status: int = 0  # what the fake answered
    at: float = 0.0  # when it answered (time.monotonic)

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    path: str = ""  # only calls whose path contains this
    times: int = 1


Reply = tuple[int, dict[str, str], Any]


class Throttle:
    """A documented rate for the calls whose path matches ``pattern``, per ``key`` of the match (a
    conversation, a mailbox) or for all of them (``key`` None): token buckets of ``per_second`` and ``burst``."""

    def __init__(self, pattern: str, per_second: float, burst: int, *, per_match: bool = False) -> None:
        self.pattern = re.compile(pattern + r"$")
        self.per_second, self.burst, self.per_match = per_second, burst, per_match
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)

    def wait(self, path: str, now: float) -> float | None:
        """None when the path is not throttled here; else 0 (taken) or the seconds to wait."""
        match = self.pattern.match(path)
        if match is None:
            return None
        key = match.group(1) if self.per_match else ""
        tokens, when = self.buckets.get(key, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - when) * self.per_second)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return (1 - tokens) / self.per_second
        self.buckets[key] = (tokens - 1, now)
        return 0.0


class FakeServer:
    """A threaded HTTP server with routes, a call log and scripted faults."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Reply]]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.open_connections: set[socket.socket] = set()
        self.port = 0
        self.latency = 0.0
        self.throttles: list[Throttle] = []

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with fake.lock:
                    fake.open_connections.add(self.connection)

            def finish(self) -> None:
                with fake.lock:
                    fake.open_connections.discard(self.connection)
                super().finish()

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = fake.dispatch(self.command, self.path, dict(self.headers), body)
                data = (
                    b""
                    if payload is None
                    else (payload if isinstance(payload, bytes) else json.dumps(payload).encode())
                )
                self.send_response(status)
                if data and "Content-Type" not in headers:
                    self.send_header("Content-Type", "application/json")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if data:
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def down(self) -> None:
        """Stop listening and drop open (keep-alive) connections: connections are refused until ``up``."""
        self.stop()
        with self.lock:
            connections, self.open_connections = set(self.open_connections), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def up(self) -> None:
        """Listen again on the same port."""
        for _ in range(50):
            try:
                self.start()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("could not listen again on the same port")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- behaviour --------------------------------------------------------------------------------
    def fail(self, status: int, *, times: int = 1, path: str = "", headers: dict[str, str] | None = None) -> None:
        with self.lock:
            self.faults.append(Fault(status, headers or {}, path, times))

    def route(self, method: str, pattern: str) -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
        def register(handler: Callable[..., Reply]) -> Callable[..., Reply]:
            self.routes.append((method, re.compile(pattern + r"$"), handler))
            return handler

        return register

    def dispatch(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        parts = urlsplit(raw_path)
        lowered = {key.lower(): value for key, value in headers.items()}
        call = Call(method, unquote(parts.path), parse_qs(parts.query), lowered, body)
        reply = self._answer(call)
        call.status = reply[0]
        return reply

    def _answer(self, call: Call) -> Reply:
        if self.latency:
            time.sleep(self.latency)
        with self.lock:
            self.calls.append(call)
            call.at = now = time.monotonic()
            for throttle in self.throttles:
                wait = throttle.wait(call.path, now)
                if wait:
                    return 429, {"Retry-After": str(max(1, math.ceil(wait)))}, self.error_body(429)
            for fault in self.faults:
                if fault.times > 0 and fault.path in call.path:
                    fault.times -= 1
                    return fault.status, fault.headers, self.error_body(fault.status)
        for route_method, pattern, handler in self.routes:
            match = pattern.match(call.path)
            if route_method == call.method and match:
                return handler(call, *match.groups())
        return 404, {}, self.error_body(404)

    def error_body(self, status: int) -> Any:
        return {"error": {"code": f"Status{status}", "message": "scripted failure"}}

    def calls_to(self, method: str, path_pattern: str) -> list[Call]:
        pattern = re.compile(path_pattern + r"$")
        with self.lock:
            return [c for c in self.calls if c.method == method and pattern.match(c.path)]


# =================================================================================================
# Bot Connector + Bot Framework signing keys
# =================================================================================================
class FakeConnector(FakeServer):
    """The Bot Connector service (``{serviceUrl}/v3/conversations...``) and the Bot Framework's
    OpenID keys (``/v1/.well-known/keys``) the SDK uses to verify inbound tokens."""

    def __init__(self, bot_app_id: str) -> None:
        super().__init__()
        self.bot_app_id = bot_app_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "fake-key-1"
        #: Teams user id (29:...) -> member as GET .../members/{id} returns it
        self.members: dict[str, dict[str, Any]] = {}
        self.created: dict[str, str] = {}  # user id -> 1:1 conversation id
        self._next = 0

        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, use="sig", alg="RS256", endorsements=["msteams"])

        @self.route("GET", r"/v1/\.well-known/keys")
        def keys(call: Call) -> Reply:
            return 200, {}, {"keys": [jwk]}

        @self.route("GET", r"/v1/\.well-known/openidconfiguration")
        def openid(call: Call) -> Reply:
            return 200, {}, {"issuer": BOT_ISSUER, "jwks_uri": f"{self.url}/v1/.well-known/keys"}

        @self.route("POST", r"/v3/conversations")
        def create_conversation(call: Call) -> Reply:
            if not self._authorized(call):
                return 401, {}, {"error": {"code": "Unauthorized"}}
            body = call.json
            user = body["members"][0]["id"]
            if user not in self.members:
                return 403, {}, {"error": {"code": "BotNotInConversationRoster"}}
            conversation = self.created.setdefault(user, f"a:1{uuid.uuid4().hex}")
            return 201, {}, {"id": conversation}

        @self.route("POST", r"/v3/conversations/([^/]+)/activities")
        def post_activity(call: Call, conversation: str) -> Reply:
            if not self._authorized(call):
                return 401, {}, {"error": {"code": "Unauthorized"}}
            self._next += 1
            return 201, {}, {"id": f"act-{self._next}"}

        @self.route("PUT", r"/v3/conversations/([^/]+)/activities/([^/]+)")
        def put_activity(call: Call, conversation: str, activity_id: str) -> Reply:
            if not self._authorized(call):
                return 401, {}, {"error": {"code": "Unauthorized"}}
            return 200, {}, {"id": activity_id}

        @self.route("GET", r"/v3/conversations/([^/]+)/members/([^/]+)")
        def member(call: Call, conversation: str, member_id: str) -> Reply:
            if not self._authorized(call):
                return 401, {}, {"error": {"code": "Unauthorized"}}
            found = self.members.get(member_id)
            if found is None:
                return 404, {}, {"error": {"code": "MemberNotFoundInConversation"}}
            return 200, {}, found

    @staticmethod
    def _authorized(call: Call) -> bool:
        return call.headers.get("authorization", "").startswith("Bearer ")

    # -- helpers for tests ------------------------------------------------------------------------
    def add_member(self, user_id: str, aad_object_id: str, name: str, email: str | None = None) -> None:
        self.members[user_id] = {
            "id": user_id,
            "name": name,
            "aadObjectId": aad_object_id,
            "email": email,
            "userPrincipalName": email,
        }

    def token(self, *, key: rsa.RSAPrivateKey | None = None, audience: str | None = None, **claims: Any) -> str:
        """A Bot Framework token as the Bot Connector signs it for inbound activities."""
        now = int(time.time())
        payload = {
            "iss": BOT_ISSUER,
            "aud": audience or self.bot_app_id,
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + 3600,
            "serviceurl": self.url,
            **claims,
        }
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def activities(self, conversation: str | None = None) -> list[Call]:
        """Activities the fake accepted (posted to one conversation), in order."""
        pattern = (
            r"/v3/conversations/([^/]+)/activities"
            if conversation is None
            else (r"/v3/conversations/" + re.escape(conversation) + r"/activities")
        )
        return [call for call in self.calls_to("POST", pattern) if call.status < 300]

    def cards(self, conversation: str | None = None) -> list[dict[str, Any]]:
        """The Adaptive Cards posted (to one conversation), in order."""
        found = []
        for call in self.activities(conversation):
            for attachment in call.json.get("attachments") or []:
                if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                    found.append(attachment["content"])
        return found

    def texts(self, conversation: str | None = None) -> list[str]:
        return [call.json.get("text") or "" for call in self.activities(conversation)]


def card_text(card: dict[str, Any]) -> str:
    """Every visible string of a card, flattened (for assertions)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label", "placeholder"):
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for key, value in node.items():
                if isinstance(value, (dict, list)) and key != "msteams":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(out)


def submit_actions(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Action.Submit data in a card (including inside Action.ShowCard), by the actionbot action id."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and isinstance(node.get("data"), dict):
                found[node["data"].get("actionbot", "")] = node["data"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


# =================================================================================================
# Microsoft Graph
# =================================================================================================
@dataclass
class Mail:
    sender: str
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                return str(part.get_content())
        raise AssertionError(f"no text/{subtype} part")


class FakeGraph(FakeServer):
    """Microsoft Graph v1.0 at ``{url}/v1.0``: users, managers, sendMail (MIME), activity feed, events, and
    mailbox settings (automatic replies)."""

    def __init__(self) -> None:
        super().__init__()
        self.users: dict[str, dict[str, Any]] = {}  # object id -> user
        self.managers: dict[str, str] = {}  # object id -> manager's object id
        self.mail: list[Mail] = []
        self.notifications: list[tuple[str, dict[str, Any]]] = []
        self.events: list[tuple[str, dict[str, Any]]] = []
        #: object ids for whom sendActivityNotification fails as when the app is not installed for them
        self.not_installed: set[str] = set()
        #: object id -> automaticRepliesSetting (Graph's shape); others have replies disabled
        self.automatic_replies: dict[str, dict[str, Any]] = {}
        #: answer mailboxSettings with 403, as when the app lacks MailboxSettings.Read
        self.mailbox_forbidden = False

        def find(key: str) -> dict[str, Any] | None:
            key = key.lower()
            for user in self.users.values():
                if key in (user["id"].lower(), (user.get("userPrincipalName") or "").lower()):
                    return user
            return None

        def not_found() -> Reply:
            return 404, {}, {"error": {"code": "Request_ResourceNotFound", "message": "Resource does not exist."}}

        @self.route("GET", r"/v1\.0/users")
        def list_users(call: Call) -> Reply:
            expression = call.query.get("$filter", [""])[0]
            if "startswith" in expression.lower():
                return self.search_users(call, expression)
            wanted = {v.replace("''", "'").lower() for v in re.findall(r"eq '((?:[^']|'')*)'", expression)}
            found = [
                u
                for u in self.users.values()
                if (u.get("mail") or "").lower() in wanted or (u.get("userPrincipalName") or "").lower() in wanted
            ]
            return 200, {}, {"value": found}

        @self.route("GET", r"/v1\.0/users/([^/]+)")
        def get_user(call: Call, key: str) -> Reply:
            user = find(key)
            return (200, {}, user) if user else not_found()

        @self.route("GET", r"/v1\.0/users/([^/]+)/manager")
        def get_manager(call: Call, key: str) -> Reply:
            user = find(key)
            if user is None or user["id"] not in self.managers:
                return not_found()
            return 200, {}, {"@odata.type": "#microsoft.graph.user", **self.users[self.managers[user["id"]]]}

        @self.route("GET", r"/v1\.0/users/([^/]+)/mailboxSettings")
        def mailbox_settings(call: Call, key: str) -> Reply:
            if self.mailbox_forbidden:
                return 403, {}, {"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}}
            user = find(key)
            if user is None:
                return not_found()
            replies = self.automatic_replies.get(user["id"]) or {"status": "disabled", "externalAudience": "none"}
            return (
                200,
                {},
                {
                    "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users('{user['id']}')/mailboxSettings",
                    "timeZone": "GMT Standard Time",
                    "automaticRepliesSetting": {
                        "internalReplyMessage": "<html><body><p>I am on leave.</p></body></html>",
                        "externalReplyMessage": "",
                        "scheduledStartDateTime": {"dateTime": "2026-01-01T00:00:00.0000000", "timeZone": "UTC"},
                        "scheduledEndDateTime": {"dateTime": "2026-01-02T00:00:00.0000000", "timeZone": "UTC"},
                        **replies,
                    },
                    "language": {"locale": "en-GB", "displayName": "English (United Kingdom)"},
                    "workingHours": {"daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"]},
                },
            )

        @self.route("POST", r"/v1\.0/users/([^/]+)/sendMail")
        def send_mail(call: Call, sender: str) -> Reply:
            if call.headers.get("content-type", "").split(";")[0] != "text/plain":
                return 400, {}, {"error": {"code": "ErrorMimeContentInvalid", "message": "expected MIME"}}
            raw = base64.b64decode(call.body)
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            self.mail.append(Mail(sender, message))
            return 202, {}, None

        @self.route("POST", r"/v1\.0/users/([^/]+)/teamwork/sendActivityNotification")
        def notify(call: Call, key: str) -> Reply:
            user = find(key)
            if user is None:
                return not_found()
            if user["id"] in self.not_installed:
                return 403, {}, {"error": {"code": "Forbidden", "message": "app not installed for recipient"}}
            self.notifications.append((user["id"], call.json))
            return 204, {}, None

        @self.route("POST", r"/v1\.0/users/([^/]+)/events")
        def create_event(call: Call, key: str) -> Reply:
            user = find(key)
            if user is None:
                return not_found()
            event = {"id": f"evt-{len(self.events) + 1}", **call.json}
            self.events.append((user["id"], call.json))
            return 201, {}, event

    # -- GET /users?$filter=startswith(...) (a name search) ---------------------------------------------
    #: Properties of a user that $select may name (the fake keeps fewer; the rest answer null).
    USER_PROPERTIES = frozenset({
        "id", "displayName", "givenName", "surname", "mail", "userPrincipalName", "companyName", "userType",
        "accountEnabled", "jobTitle", "department", "officeLocation", "mobilePhone", "businessPhones",
        "preferredLanguage",
    })  # fmt: skip
    #: The properties startswith may be applied to (Graph supports more; these are the ones actionbot uses).
    STARTSWITH_PROPERTIES = frozenset({"displayName", "givenName", "surname"})
    _STARTSWITH = r"startswith\((\w+),\s*'((?:[^']|'')*)'\)"
    _STARTS_ANY = re.compile(rf"{_STARTSWITH}(?:\s+or\s+{_STARTSWITH})*")
    _ENABLED_AND = re.compile(r"accountEnabled eq (true|false) and \((.*)\)", re.DOTALL)

    @staticmethod
    def bad_request(message: str) -> Reply:
        return 400, {}, {"error": {"code": "BadRequest", "message": message}}

    def search_users(self, call: Call, expression: str) -> Reply:
        """``$filter=[accountEnabled eq true and (]startswith(P,'v') or startswith(P,'v') ...[)]`` over
        displayName, givenName and surname: case-insensitive, as Graph's startswith on users is; any other
        filter shape is refused (400) rather than half-understood. ``$top`` (1-999) caps the page and
        ``$select`` picks the properties, as on Graph."""
        enabled: bool | None = None
        inner = expression.strip()
        wrapped = self._ENABLED_AND.fullmatch(inner)
        if wrapped:
            enabled, inner = wrapped.group(1) == "true", wrapped.group(2).strip()
        if not self._STARTS_ANY.fullmatch(inner):
            return self.bad_request(f"Invalid filter clause: {expression}")
        terms = [(prop, value.replace("''", "'").casefold()) for prop, value in re.findall(self._STARTSWITH, inner)]
        unknown = [prop for prop, _ in terms if prop not in self.STARTSWITH_PROPERTIES]
        if unknown:
            return self.bad_request(f"Unsupported or invalid query filter clause specified for property '{unknown[0]}'")
        raw_top = call.query.get("$top", ["100"])[0]
        if not raw_top.isdigit() or not 1 <= int(raw_top) <= 999:
            return self.bad_request(f"Invalid page size specified: '{raw_top}'. Must be between 1 and 999 inclusive.")
        select = [p for p in call.query.get("$select", [""])[0].split(",") if p]
        missing = [p for p in select if p not in self.USER_PROPERTIES]
        if missing:
            return self.bad_request(f"Could not find a property named '{missing[0]}' on type 'microsoft.graph.user'.")
        with self.lock:
            users = list(self.users.values())
        found = [
            u
            for u in users
            if (enabled is None or bool(u.get("accountEnabled", True)) == enabled)
            and any((u.get(prop) or "").casefold().startswith(value) for prop, value in terms)
        ][: int(raw_top)]
        if select:
            found = [{p: u.get(p) for p in select} for u in found]
        context = "https://graph.microsoft.com/v1.0/$metadata#users" + (f"({','.join(select)})" if select else "")
        return 200, {}, {"@odata.context": context, "value": found}

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1.0"

    def add_user(
        self,
        object_id: str,
        name: str,
        mail: str | None,
        *,
        upn: str | None = None,
        manager: str | None = None,
        company: str | None = None,
        given_name: str | None = None,
        surname: str | None = None,
        enabled: bool | None = None,
    ) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": object_id,
            "displayName": name,
            "mail": mail,
            "userPrincipalName": upn or mail or f"{object_id}@tenant.example",
            "companyName": company,
        }
        # for name searches ($filter=startswith): Entra keeps first name and surname apart from the display name
        if given_name is not None:
            user["givenName"] = given_name
        if surname is not None:
            user["surname"] = surname
        if enabled is not None:
            user["accountEnabled"] = enabled
        self.users[object_id] = user
        if manager:
            self.managers[object_id] = manager
        return user
