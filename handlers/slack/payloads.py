"""The shape of what Slack sends, checked before Bolt or our listeners read it.

Bolt trusts Slack's payloads and indexes into them freely (``body["actions"][0]``, ``body["user"]["id"]``),
so a malformed one, even correctly signed, would surface as an HTTP 500. This module says whether a
parsed body has the documented types for every field Bolt or actionbot reads; a body that does not is
answered 400 and never reaches a listener. (Found by the fuzz test in tests/slack/test_fuzz.py.)
"""

from __future__ import annotations

from typing import Any

# A schema maps a key to: a type (or tuple of types); a nested schema (dict); or a one-element list whose
# element describes every item; a tuple of types ending in a schema: either (``(str, {"id": str})``). ``"*"``
# matches any key. None is accepted wherever a key is optional.
Schema = dict[str, Any]
_ID: Schema = {"id": str}
_MESSAGE: Schema = {"user": str, "ts": str, "thread_ts": str, "bot_id": str, "subtype": str, "text": str}
# Where Bolt looks for the channel when the payload names none itself: an item, an assistant thread.
_ITEM: Schema = {"channel": str, "ts": str, "type": str}
_THREAD: Schema = {"channel": (str, _ID), "channel_id": str, "thread_ts": str}
_ACTION_STATE: Schema = {
    "type": str, "value": str, "selected_date": str, "selected_time": str, "selected_user": str,
    "selected_conversation": str, "selected_option": dict,
}  # fmt: skip
_VIEW: Schema = {
    "id": str, "callback_id": str, "private_metadata": str, "type": str, "team_id": str, "app_id": str,
    "bot_id": str, "hash": str, "root_view_id": str, "external_id": str,
    "state": {"values": {"*": {"*": _ACTION_STATE}}},
}  # fmt: skip
# Bolt's extract_* functions read the same keys at every level they step into (the body, its event, the
# event's event, an authorization), indexing as they go ("id" in team, len(authorizations)): checked at each.
_AUTHORIZATION: Schema = {
    "enterprise_id": str, "team_id": str, "user_id": str, "is_bot": bool, "is_enterprise_install": bool,
    "enterprise": (str, _ID), "team": (str, _ID), "user": (str, _ID),
}  # fmt: skip
_AUTHORIZATION["authorizations"] = [_AUTHORIZATION]
_EVENT: Schema = {
    "type": str, "user": str, "tab": str, "channel": str, "subtype": str, "channel_type": str, "view": _VIEW,
    "thread_ts": str, "bot_id": str, "ts": str, "item": _ITEM,
    "message": _MESSAGE, "previous_message": _MESSAGE, "assistant_thread": _THREAD, "workflow_step": dict,
    "function_execution_id": str, "inputs": dict, "bot_access_token": str,
    "authorizations": [_AUTHORIZATION], "enterprise": (str, _ID), "team": (str, _ID), "enterprise_id": str,
    "team_id": str, "is_enterprise_install": (bool, str), "user_id": str, "channel_id": str, "user_team": str,
}  # fmt: skip
_EVENT["event"] = _EVENT  # found by the property test (session 13): {"event": {"authorizations": false}} was a 500
SCHEMA: Schema = {
    "type": str, "token": str, "api_app_id": str, "trigger_id": str, "response_url": str, "command": str,
    "text": str, "user_id": str, "user_name": str, "channel_id": str, "channel_name": str, "team_id": str,
    "team_domain": str, "enterprise_id": str, "enterprise_name": str, "is_enterprise_install": (bool, str),
    "event_id": str, "event_time": int, "event_context": str,
    "user": {"id": str, "team_id": str, "name": str, "username": str},
    "team": {"id": str, "domain": str, "enterprise_id": str}, "enterprise": _ID,
    "channel": {"id": str, "name": str},
    "container": {"type": str, "message_ts": str, "channel_id": str, "view_id": str, "is_ephemeral": bool},
    # a message shortcut's message; Bolt reads its "user" (and a top-level previous_message's) for the actor
    "message": {**_MESSAGE, "type": str, "blocks": [dict]}, "previous_message": _MESSAGE, "item": _ITEM,
    "assistant_thread": _THREAD,
    "actions": [{"action_id": str, "block_id": str, "value": str, "type": str, "action_ts": str}],
    "state": {"values": {"*": {"*": _ACTION_STATE}}},
    "view": _VIEW,
    "event": _EVENT,
    "authorizations": [_AUTHORIZATION],
    "response_urls": [{"response_url": str, "block_id": str, "action_id": str, "channel_id": str}],
    "function_data": {"execution_id": str, "inputs": dict}, "bot_access_token": str, "workflow_step": dict,
    "thread_ts": str,
}  # fmt: skip

#: Fields each kind of payload must carry.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "block_actions": (("user", "id"), ("trigger_id",), ("actions",)),
    "view_submission": (("user", "id"), ("view", "id"), ("view", "callback_id"), ("view", "type")),
    "view_closed": (("user", "id"), ("view", "callback_id"), ("view", "type")),
    "event_callback": (("event", "type"),),
    "command": (("command",), ("user_id",), ("channel_id",), ("trigger_id",)),
}

#: Fields each event we listen to must carry.
EVENT_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "app_home_opened": (("event", "user"),),
}


def _check(value: Any, rule: Any, path: str) -> str | None:
    if value is None:
        return f"{path} is null" if isinstance(rule, list) else None  # Bolt takes the length of lists it finds
    if isinstance(rule, dict):
        if not isinstance(value, dict):
            return f"{path} is not an object"
        for key, item in value.items():
            sub = rule.get(key, rule.get("*"))
            named = key if key in rule else "*"  # the path names schema keys only, never the payload's own
            if sub is not None and (problem := _check(item, sub, f"{path}.{named}")):
                return problem
        return None
    if isinstance(rule, list):
        if not isinstance(value, list):
            return f"{path} is not a list"
        for index, item in enumerate(value):
            if item is None:
                return f"{path}[{index}] is empty"
            if problem := _check(item, rule[0], f"{path}[{index}]"):
                return problem
        return None
    if isinstance(rule, tuple) and isinstance(rule[-1], dict):  # (str, {"id": str}): a name, or an object
        return _check(value, rule[-1], path) if isinstance(value, dict) else _check(value, rule[:-1], path)
    expected = rule if isinstance(rule, tuple) else (rule,)
    if isinstance(value, bool) and bool not in expected:
        return f"{path} has the wrong type"
    return None if isinstance(value, expected) else f"{path} has the wrong type"


def _present(body: dict[str, Any], path: tuple[str, ...]) -> bool:
    value: Any = body
    for key in path:
        if not isinstance(value, dict) or value.get(key) in (None, "", [], {}):
            return False
        value = value[key]
    return True


#: Keys Bolt reads as ``body.get(key, {}).get(...)``: present but null, they would fail inside Bolt.
NOT_NULL = ("event", "view")


def shape_problem(body: Any) -> str | None:
    """None when the body has the documented shape, else a short description (no values, safe to log)."""
    if not isinstance(body, dict):
        return "the payload is not an object"
    for key in NOT_NULL:
        if key in body and body[key] is None:
            return f"payload.{key} is null"
    if problem := _check(body, SCHEMA, "payload"):
        return problem
    kind = "command" if "command" in body else str(body.get("type") or "")
    for path in REQUIRED.get(kind, ()):
        if not _present(body, path):
            return f"{kind} payload without {'.'.join(path)}"
    if kind == "event_callback":
        for path in EVENT_REQUIRED.get(str(body["event"]["type"]), ()):
            if not _present(body, path):
                return f"event payload without {'.'.join(path)}"
    if kind == "block_actions" and not all(action.get("action_id") for action in body["actions"]):
        return "block_actions payload with an action without action_id"
    return None
