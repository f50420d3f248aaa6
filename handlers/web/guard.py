"""What every response of the page carries, and how often one link or one address may ask.

Headers: a Content-Security-Policy that allows only our own stylesheet and form posts to ourselves, no
framing, no referrer (the address holds the link's token), no caching, no MIME sniffing, and HSTS when the
page is served over https. Rate limits (the ``limits`` library's moving window, in this process's memory):
per link and per client address; behind the council's TLS proxy the address is the one the proxy reports
(uvicorn's ``FORWARDED_ALLOW_IPS`` names the proxies trusted to say it).
"""

from __future__ import annotations

import hashlib

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
HSTS = "max-age=31536000; includeSubDomains"

#: One person answering needs a handful of requests; these leave room for mistakes, not for guessing.
PER_LINK = "20/10 minutes"
PER_ADDRESS = "120/10 minutes"


class RateLimits:
    def __init__(self, per_link: str = PER_LINK, per_address: str = PER_ADDRESS) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_link = parse(per_link)
        self._per_address = parse(per_address)

    def allow(self, token: str, address: str) -> bool:
        """Count one request; False once this link or this address has asked too often."""
        link_key = hashlib.sha256(token.encode()).hexdigest()[:32]  # the token itself is never kept
        by_address = self._limiter.hit(self._per_address, "address", address)
        by_link = self._limiter.hit(self._per_link, "link", link_key)
        return by_address and by_link
