"""Keep personal data out of the logs the Microsoft SDKs write."""

from __future__ import annotations

import logging


def quiet_sdk_logs() -> None:
    """HTTP client loggers print request URLs (Graph URLs carry email addresses) and the Teams SDK
    prints whole activities at DEBUG: cap them, whatever the root level is."""
    for name in ("httpx", "httpcore", "azure.core.pipeline.policies.http_logging_policy", "msal"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("microsoft_teams").setLevel(logging.INFO)
