"""The answer page's tests share the email tests' real SMTP relay (aiosmtpd, STARTTLS and AUTH)."""

from tests.email.conftest import relay  # noqa: F401 - a fixture, used by test_in_a_browser
