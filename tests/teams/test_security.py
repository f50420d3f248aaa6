"""Inbound security: Bot Framework tokens on /api/messages, HMAC on the outgoing webhook, our tenant only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.teams.conftest import CHAIR, CHANNEL, OWNER, TEAM, TENANT, WEBHOOK_SECRET, Teams
from tests.teams.fakes import card_text


def channel_posts(teams: Teams) -> int:
    return len(teams.connector.calls_to("POST", r"/v3/conversations.*"))


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="no-token"),
        pytest.param("not-a-jwt", id="garbage"),
        pytest.param("other-key", id="signed-by-someone-else"),
        pytest.param("other-audience", id="for-another-bot"),
        pytest.param("expired", id="expired"),
        pytest.param("other-service-url", id="for-another-service-url"),
    ],
)
def test_requests_without_a_valid_bot_framework_token_are_refused_and_write_nothing(
    teams: Teams, token: str | None
) -> None:
    now = int(time.time())
    tokens: dict[str | None, str | None] = {
        None: None,
        "not-a-jwt": "not-a-jwt",
        "other-key": teams.connector.token(key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "other-audience": teams.connector.token(audience="00000000-0000-4000-8000-00000000beef"),
        "expired": teams.connector.token(iat=now - 7200, nbf=now - 7200, exp=now - 3600),
        "other-service-url": teams.connector.token(serviceurl="https://smba.trafficmanager.net/emea/"),
    }
    before = teams.snapshot()
    activity = teams.activity(
        CHAIR,
        "<at>actionbot</at> action <at>Olu Owner</at> Share the CAD log by Friday",
        entities=[OWNER.mention()],
    )
    response = teams.post(activity, token=tokens[token])
    assert response.status_code == 401
    assert teams.snapshot() == before
    assert channel_posts(teams) == 0
    assert teams.connector.calls_to("GET", r"/v3/conversations/.+/members/.+") == []


def test_the_same_request_with_a_valid_token_is_accepted(teams: Teams) -> None:
    before = teams.snapshot()
    response = teams.command(CHAIR, "action <at>Olu Owner</at> Share the CAD log by Friday", OWNER)
    assert response.status_code == 200
    assert teams.snapshot() != before
    assert len(teams.actions()) == 1


def test_activities_from_another_tenant_are_ignored(teams: Teams) -> None:
    before = teams.snapshot()
    activity = teams.activity(CHAIR, "<at>actionbot</at> action <at>Olu Owner</at> Share the log by Friday")
    activity["conversation"]["tenantId"] = "00000000-0000-4000-8000-0000000000ff"
    activity["channelData"]["tenant"]["id"] = "00000000-0000-4000-8000-0000000000ff"
    assert teams.post(activity).status_code == 200
    assert teams.snapshot() == before
    assert channel_posts(teams) == 0


# -- the outgoing webhook ---------------------------------------------------------------------------
def webhook_activity(
    text: str,
    *,
    mentions: list[dict[str, Any]] | None = None,
    tenant: str = TENANT,
    channel: str = CHANNEL,
    timestamp: str = "2026-11-23T10:00:00.000Z",
) -> bytes:
    payload = {
        "type": "message",
        "id": f"17000{time.monotonic_ns()}",
        "timestamp": timestamp,
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "channelId": "msteams",
        "from": {"id": CHAIR.user_id, "name": CHAIR.name, "aadObjectId": CHAIR.aad},
        "conversation": {"isGroup": True, "id": f"{channel};messageid=1700000000999", "conversationType": "channel"},
        "textFormat": "plain",
        "text": f"<at>actionbot</at> {text}",
        "entities": [
            {
                "type": "mention",
                "text": "<at>actionbot</at>",
                "mentioned": {"id": "28:webhook-id", "name": "actionbot"},
            },
            *(mentions or []),
        ],
        "channelData": {"teamsChannelId": channel, "teamsTeamId": TEAM, "tenant": {"id": tenant}},
    }
    return json.dumps(payload).encode()


def signed(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    digest = hmac.new(base64.b64decode(secret), body, hashlib.sha256).digest()
    return "HMAC " + base64.b64encode(digest).decode()


def call_webhook(teams: Teams, body: bytes, authorization: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return httpx.post(f"{teams.url}/api/webhook", content=body, headers=headers, timeout=10)


def test_a_signed_outgoing_webhook_request_runs_the_command_and_answers_with_the_card(teams: Teams) -> None:
    owner = {
        "type": "mention",
        "text": "<at>Olu Owner</at>",
        "mentioned": {"id": OWNER.user_id, "name": OWNER.name, "aadObjectId": OWNER.aad},
    }
    body = webhook_activity("action <at>Olu Owner</at> Share the CAD log by Friday", mentions=[owner])
    started = time.monotonic()
    response = call_webhook(teams, body, signed(body))
    assert time.monotonic() - started < 5  # Teams waits five seconds
    assert response.status_code == 200
    answer = response.json()
    assert answer["type"] == "message"
    [attachment] = answer["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "Action A-1 recorded" in card_text(attachment["content"])
    [action] = teams.actions()
    assert action.owner.teams_object_id == OWNER.aad
    assert action.created_by.teams_object_id == CHAIR.aad
    assert action.origin == f"teams:{CHANNEL}"
    assert channel_posts(teams) == 0  # the answer is the response; nothing proactive
    # Teams repeating the same request records nothing twice
    assert call_webhook(teams, body, signed(body)).status_code == 200
    assert len(teams.actions()) == 1


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="missing"),
        pytest.param("HMAC", id="empty"),
        pytest.param("Bearer something", id="wrong-scheme"),
        pytest.param("wrong-secret", id="wrong-secret"),
        pytest.param("other-body", id="signature-of-another-body"),
    ],
)
def test_outgoing_webhook_requests_without_the_right_hmac_are_refused(teams: Teams, authorization: str | None) -> None:
    body = webhook_activity("action @jo Share the CAD log by Friday")
    header = {
        "wrong-secret": signed(body, base64.b64encode(b"another secret of thirty-two b!!").decode()),
        "other-body": signed(body + b" "),
    }.get(authorization or "", authorization)
    before = teams.snapshot()
    response = call_webhook(teams, body, header)
    assert response.status_code == 401
    assert teams.snapshot() == before


def test_the_webhook_keeps_private_answers_out_of_the_channel_and_other_tenants_out(teams: Teams) -> None:
    for private in ("actions", "case CR-1042"):  # a case's timeline is never shown to the whole channel
        body = webhook_activity(private)
        response = call_webhook(teams, body, signed(body))
        assert response.status_code == 200
        assert "answers only to you" in card_text(response.json()["attachments"][0]["content"]), private
    body = webhook_activity("action @jo Share the CAD log by Friday", tenant="00000000-0000-4000-8000-0000000000ff")
    assert call_webhook(teams, body, signed(body)).status_code == 401
    assert teams.actions() == []


def test_the_webhook_never_puts_a_card_from_another_conversation_in_this_channel(teams: Teams) -> None:
    body = webhook_activity("action @jo Share the CAD log by Friday")
    assert call_webhook(teams, body, signed(body)).status_code == 200
    elsewhere = "19:another-meeting@thread.tacv2"
    body = webhook_activity("done A-1 sent by secure email", channel=elsewhere)
    response = call_webhook(teams, body, signed(body))
    assert response.status_code == 200
    answer = " ".join(card_text(a["content"]) for a in response.json()["attachments"])
    assert "for you only" in answer and "Share the CAD log" not in answer
    [action] = teams.actions()
    assert action.status == "done"  # the change stands; only its card stays out of this channel


def test_a_replayed_webhook_request_is_refused(teams: Teams) -> None:
    for stale in ("2026-11-23T09:54:59.000Z", "2026-11-23T10:05:01.000Z"):
        body = webhook_activity("action @jo Share the CAD log by Friday", timestamp=stale)
        assert call_webhook(teams, body, signed(body)).status_code == 401
    assert teams.actions() == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"channelData": "not an object"}, id="channel-data"),
        pytest.param({"timestamp": "yesterday"}, id="timestamp"),
        pytest.param({"from": ["x"]}, id="sender"),
        pytest.param({"entities": [{"type": "mention", "mentioned": {"name": "no id"}}]}, id="mention"),
    ],
)
def test_a_signed_but_malformed_webhook_request_is_a_400_and_writes_nothing(
    teams: Teams, change: dict[str, Any]
) -> None:
    payload = {**json.loads(webhook_activity("action @jo Share the CAD log by Friday")), **change}
    body = json.dumps(payload).encode()
    before = teams.snapshot()
    assert call_webhook(teams, body, signed(body)).status_code == 400
    assert teams.snapshot() == before


@pytest.mark.parametrize("path", ["/api/messages", "/api/webhook"])
@pytest.mark.parametrize("chunked", [False, True], ids=["with-length", "chunked"])
def test_an_oversized_body_is_refused_before_anything_reads_it(teams: Teams, path: str, chunked: bool) -> None:
    activity = teams.activity(CHAIR, "<at>actionbot</at> action <at>Olu Owner</at> " + "x" * 300_000, entities=[])
    body = json.dumps(activity).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {teams.connector.token()}"}
    before = teams.snapshot()
    response = httpx.post(f"{teams.url}{path}", content=chunks() if chunked else body, headers=headers, timeout=10)
    assert response.status_code == 413
    assert teams.snapshot() == before


def test_a_body_that_is_not_json_gets_no_server_error(teams: Teams) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {teams.connector.token()}"}
    response = httpx.post(f"{teams.url}/api/messages", content=b"{not json", headers=headers, timeout=10)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "change",
    [
        {"type": 5},
        {"from": "x"},
        {"conversation": None},
        {"text": ["a"]},
        {"entities": "x"},
        {"entities": [{"type": "mention", "mentioned": 3}]},
        {"channelData": []},
        {"type": "invoke", "name": "adaptiveCard/action", "value": "x"},
        {"type": "invoke", "name": "adaptiveCard/action", "value": {"action": {"data": "x"}}},
    ],
    ids=lambda change: ",".join(change),
)
def test_a_malformed_activity_even_with_a_valid_token_is_a_400_and_writes_nothing(
    teams: Teams, change: dict[str, Any]
) -> None:
    activity = teams.activity(
        CHAIR, "<at>actionbot</at> action <at>Olu Owner</at> Share the CAD log by Friday", entities=[OWNER.mention()]
    )
    before = teams.snapshot()
    response = teams.post({**activity, **change})
    assert response.status_code == 400
    assert teams.snapshot() == before
