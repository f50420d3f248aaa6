"""Downloading a file shared in Slack (a minutes document) with the bot token: only from Slack's own file host
(or the configured API host, e.g. the tests' fake), at most MAX_BYTES, never written to disk or logged."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from bot.capture.minutes_docx import MAX_BYTES, NotMinutes
from handlers.slack.client import TIMEOUT

FILE_HOST = "files.slack.com"


class FileUnavailable(Exception):
    """The file could not be fetched; the message is safe to show to the person who asked."""


def is_docx(file: dict[str, Any]) -> bool:
    name = str(file.get("name") or "")
    return file.get("filetype") == "docx" or name.lower().endswith(".docx")


def download(file: dict[str, Any], token: str, api_url: str) -> bytes:
    """The file's bytes. Raises NotMinutes for a file too big to be minutes, FileUnavailable otherwise."""
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    parts = urlsplit(url)
    allowed = {FILE_HOST, urlsplit(api_url).netloc}
    # The URL comes from a signed payload, but the bot token goes nowhere but Slack.
    if (
        parts.netloc not in allowed
        or parts.scheme not in ("https", "http")
        or (parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost"))
    ):
        raise FileUnavailable("That file is not stored in Slack, so I cannot read it.")
    if int(file.get("size") or 0) > MAX_BYTES:
        raise NotMinutes(f"That file is {int(file['size']) / 1024 / 1024:.1f} MB; minutes can be at most 5 MB.")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 (host checked)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (host checked above)
            if "text/html" in str(response.headers.get("Content-Type") or ""):
                # Slack answers a request it will not serve with its sign-in page, not an error status.
                raise FileUnavailable("Slack did not let me read that file (the app needs the files:read scope).")
            data: bytes = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError) as exc:
        raise FileUnavailable("I could not download that file from Slack; try again in a moment.") from exc
    if len(data) > MAX_BYTES:
        raise NotMinutes("That file is over 5 MB; minutes can be at most 5 MB.")
    return data
