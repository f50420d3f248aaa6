"""CSRF protection for the answer form: a signed double-submit token.

The form carries a hidden field signed with the link secret (itsdangerous) naming the link and a random
nonce; the same nonce is set in a ``SameSite=Strict``, ``HttpOnly`` cookie. A post is accepted only when the
field's signature is good and fresh, it names this link, and its nonce equals the cookie's: a page on another
site can neither read the field nor send the cookie.
"""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE = "actionbot_csrf"
FIELD = "csrf"
#: A form older than this is refused (the person opens the link again).
MAX_AGE_SECONDS = 2 * 3600


class CsrfTokens:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="actionbot.answer-form.v1")

    @staticmethod
    def nonce() -> str:
        return secrets.token_urlsafe(16)

    def field(self, link_id: str, nonce: str) -> str:
        return self._serializer.dumps([link_id, nonce])

    def valid(self, value: str | None, link_id: str, cookie: str | None) -> bool:
        if not value or not cookie:
            return False
        try:
            signed_link, signed_nonce = self._serializer.loads(value, max_age=MAX_AGE_SECONDS)
        except (BadData, ValueError, TypeError):
            return False
        if not isinstance(signed_link, str) or not isinstance(signed_nonce, str):
            return False
        return hmac.compare_digest(signed_link, link_id) and hmac.compare_digest(signed_nonce, cookie)
