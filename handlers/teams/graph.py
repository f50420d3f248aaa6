"""Microsoft Graph clients (msgraph-sdk, async) and how their failures map onto the platform port.

Production: app-only auth with azure-identity's ClientSecretCredential. Tests hand in another kiota
authentication provider (anonymous) and a base URL on 127.0.0.1. Either way the HTTP client carries
msgraph-core's default middleware, whose RetryHandler retries 429, 503 and 504 (honouring
Retry-After) before a failure reaches us.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import AuthenticationProvider
from kiota_http.middleware.options import RetryHandlerOption, UrlReplaceHandlerOption
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory  # type: ignore[import-untyped]

from bot.actions.ports import DeliveryError
from handlers.teams.runner import RunnerTimeout
from handlers.teams.settings import GraphCredentials

if TYPE_CHECKING:
    from azure.identity.aio import ClientSecretCredential

log = logging.getLogger("actionbot.teams.graph")

#: Seconds: a Graph call (with its retries) that takes longer than this is given up and retried later.
REQUEST_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def graph_client(
    auth: AuthenticationProvider,
    base_url: str,
    *,
    retry_delay: float = RetryHandlerOption.DEFAULT_DELAY,
    max_retries: int = RetryHandlerOption.DEFAULT_MAX_RETRIES,
    timeout: httpx.Timeout = REQUEST_TIMEOUT,
) -> GraphServiceClient:
    """A GraphServiceClient on ``base_url`` with the SDK's default middleware (retry included)."""
    http = httpx.AsyncClient(base_url=base_url, timeout=timeout)
    options: dict[str, Any] = {
        RetryHandlerOption.get_key(): RetryHandlerOption(delay=retry_delay, max_retries=max_retries),
        # what the SDK sets by default: the /me alias (unused here, kept so behaviour matches the SDK)
        UrlReplaceHandlerOption.get_key(): UrlReplaceHandlerOption(
            enabled=True, replacement_pairs={"/users/me-token-to-replace": "/me"}
        ),
    }
    http = GraphClientFactory.create_with_default_middleware(client=http, options=options)
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = base_url
    return GraphServiceClient(request_adapter=adapter)


def app_only_credential(creds: GraphCredentials) -> ClientSecretCredential:
    from azure.identity.aio import ClientSecretCredential

    return ClientSecretCredential(creds.tenant_id, creds.client_id, creds.client_secret)


def app_only_graph(creds: GraphCredentials) -> GraphServiceClient:
    """Graph as the app itself (client credentials), for the permissions in docs/teams.md.

    The token is only ever sent to the configured Graph host (a national cloud's, if GRAPH_BASE_URL
    says so), with that host's ``.default`` scope. Create and use it on one event loop (LoopRunner)."""
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )

    parts = urlsplit(creds.base_url)
    host = parts.hostname or "graph.microsoft.com"
    scope = f"{parts.scheme}://{parts.netloc}/.default"
    auth = AzureIdentityAuthenticationProvider(app_only_credential(creds), scopes=[scope], allowed_hosts=[host])
    return graph_client(auth, creds.base_url)


def status_of(error: BaseException) -> int | None:
    return error.response_status_code if isinstance(error, APIError) else None


def retry_after_of(error: BaseException) -> float | None:
    if not isinstance(error, APIError) or not error.response_headers:
        return None
    headers: Any = error.response_headers
    raw = headers.get("retry-after") or headers.get("Retry-After")
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except (TypeError, ValueError):
        return None


def delivery_error(what: str, error: BaseException) -> DeliveryError:
    """A Graph failure as the chaser understands it. ``what`` names the operation (never data)."""
    status = status_of(error)
    if status == 429:
        return DeliveryError(f"graph {what}: throttled (429)", retry_after=retry_after_of(error) or 60.0)
    if status is not None and status >= 500:
        return DeliveryError(f"graph {what}: service error ({status})", retry_after=retry_after_of(error))
    if status in (400, 401, 403, 404):
        # 404: no such user; 403: permission not granted, or the Teams app not installed for them;
        # 401: the credentials are wrong; 400: a request Graph will never accept. Trying again cannot help.
        return DeliveryError(f"graph {what}: refused ({status})", permanent=True)
    if status is not None:
        return DeliveryError(f"graph {what}: unexpected status {status}")
    if isinstance(error, (httpx.TransportError, RunnerTimeout, TimeoutError)):
        return DeliveryError(f"graph {what}: unreachable ({error.__class__.__name__})")
    try:
        from azure.core.exceptions import ClientAuthenticationError
    except ImportError:  # pragma: no cover - azure-core is a dependency
        ClientAuthenticationError = ()  # type: ignore[assignment,misc]
    if isinstance(error, ClientAuthenticationError):
        return DeliveryError(f"graph {what}: cannot sign in (check GRAPH_CLIENT_SECRET)", permanent=True)
    return DeliveryError(f"graph {what}: {error.__class__.__name__}")
