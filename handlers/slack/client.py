"""slack_sdk clients with retries, and Slack failures translated into the core's DeliveryError.

Retries use slack_sdk's own handlers: HTTP 429 waits for Retry-After, connection resets and 500/503 are
tried again. A long Retry-After is not slept through: the caller gets a DeliveryError carrying it, and
the outbox (bot.chasing.sweep) reschedules the send instead of holding a worker thread for a minute.
"""

from __future__ import annotations

import re
from http.client import RemoteDisconnected
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

from bot.actions.ports import DeliveryError

#: Waits longer than this are handed back to the caller (the outbox retries later).
MAX_INLINE_WAIT = 10.0
TIMEOUT = 10

#: What Slack's error codes look like (``not_in_channel``); anything else is not logged.
_CODE = re.compile(r"[a-z0-9_]{1,64}")

#: Slack error codes that trying again cannot fix (until someone changes something: a token, an invite).
PERMANENT_ERRORS = frozenset(
    {
        "access_denied",
        "account_inactive",
        "cannot_dm_bot",
        "cant_update_message",
        "channel_not_found",
        "edit_window_closed",
        "ekm_access_denied",
        "invalid_arguments",
        "invalid_auth",
        "invalid_blocks",
        "invalid_user_combination",
        "is_archived",
        "message_not_found",
        "messages_tab_disabled",
        "missing_scope",
        "msg_too_long",
        "no_permission",
        "not_allowed_token_type",
        "not_authed",
        "not_in_channel",
        "restricted_action",
        "team_access_not_granted",
        "token_expired",
        "token_revoked",
        "user_disabled",
        "user_not_found",
        "user_not_visible",
        "users_not_found",
    }
)


def retry_after(headers: Any) -> float | None:
    """The Retry-After header (seconds) of a response, if any."""
    if not headers:
        return None
    for key, value in dict(headers).items():
        if str(key).lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


class BoundedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, but only for waits the caller can afford (``max_wait`` seconds)."""

    def __init__(self, max_retry_count: int = 2, max_wait: float = MAX_INLINE_WAIT) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after(response.headers)
        return wait is None or wait <= self.max_wait


def retry_handlers() -> list[RetryHandler]:
    return [
        BoundedRateLimitRetryHandler(),
        ConnectionErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=1),
    ]


def web_client(token: str, api_url: str) -> WebClient:
    return WebClient(token=token, base_url=api_url, timeout=TIMEOUT, retry_handlers=retry_handlers())


def webhook_client(url: str) -> WebhookClient:
    """For a ``response_url`` that Slack sent in a signed request."""
    return WebhookClient(url=url, timeout=TIMEOUT, retry_handlers=retry_handlers())


class SlackDeliveryError(DeliveryError):
    """A DeliveryError that keeps Slack's error code (e.g. ``not_in_channel``) for the adapter."""

    def __init__(self, message: str, *, code: str, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(message, retry_after=retry_after, permanent=permanent)
        self.code = code


def error_code(error: Exception) -> str:
    """Slack's error code, or the exception's class name: safe to log (no message text, no personal data)."""
    if isinstance(error, SlackApiError):
        response = error.response
        code = response.data.get("error") if isinstance(response.data, dict) else None
        if response.status_code == 429:
            return "ratelimited"
        if response.status_code != 200 or not isinstance(code, str) or not _CODE.fullmatch(code):
            return f"http_{response.status_code}"  # not one of Slack's codes (e.g. a proxy's HTML page quoted)
        return code
    return error.__class__.__name__


def delivery_error(method: str, error: Exception) -> SlackDeliveryError:
    """Translate a slack_sdk failure into the core's DeliveryError (its message carries codes only)."""
    code = error_code(error)
    wait: float | None = None
    if isinstance(error, SlackApiError):
        if error.response.status_code == 429:
            wait = retry_after(error.response.headers) or 60.0
        return SlackDeliveryError(
            f"slack {method} failed: {code}", code=code, retry_after=wait, permanent=code in PERMANENT_ERRORS
        )
    return SlackDeliveryError(f"slack {method} failed: {code}", code=code)


#: What a Web API call can raise: Slack said no, or the network failed.
CALL_ERRORS: tuple[type[Exception], ...] = (SlackClientError, URLError, RemoteDisconnected, OSError, ValueError)
