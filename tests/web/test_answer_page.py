"""The answer page over real HTTP (uvicorn on 127.0.0.1): headers, CSRF, refusals, rate limits, no token logged."""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import func, select

from bot.actions.ports import Messenger
from bot.app import Core
from bot.config import Settings
from handlers.serving import InThread
from handlers.web.guard import RateLimits
from handlers.web.page import AnswerPage, web_app
from storage.db import Database
from storage.models import ActionEvent, AnswerLinkUse
from tests.chasing.hourly import record
from tests.conftest import Clock
from tests.web.mailbox import LINK, MailBox, linked_core, text_of

OWNER_EMAIL = "jo.bloggs@police.uk"
TASK = "Send the chronology to the chair"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Served:
    def __init__(self, core: Core, latest_mail: Callable[[], str], base: str, server: InThread) -> None:
        self.core, self.latest_mail, self.base, self.server = core, latest_mail, base, server

    def emailed_link(self, task: str = TASK) -> str:
        """Record an action for the email-only owner, sweep, and take the link from the email they got."""
        record(self.core, f"{OWNER_EMAIL} {task} by Fri 27 Nov")
        self.core.chaser.sweep()
        found = LINK.search(self.latest_mail())
        assert found is not None and found.group(1).startswith(self.base)
        return found.group(1)

    def events(self) -> int:
        with self.core.db.reading() as session:
            return int(session.scalar(select(func.count()).select_from(ActionEvent)) or 0)


def serve(
    settings: Settings,
    database: Database,
    clock: Clock,
    limits: RateLimits | None = None,
    *,
    email: Messenger | None = None,
    latest_mail: Callable[[], str] | None = None,
) -> Iterator[Served]:
    """The page on a loopback port, over a core whose links name it, emailing through ``email`` (default: a
    MailBox keeping each rendered mail; the browser test passes the real SMTP relay)."""
    server = InThread(None)  # the page's address is only known once it listens: build the core for it then
    base = f"http://127.0.0.1:{server.port}"
    core = linked_core(settings, database, clock, public=base)
    if email is None:
        mailbox = MailBox()
        email = mailbox
        latest_mail = lambda: text_of(mailbox.to(OWNER_EMAIL)[-1])  # noqa: E731
    assert latest_mail is not None
    core.router.add(email)
    assert core.links is not None
    server.server.config.app = web_app(AnswerPage(core.links, limits))
    server.start()
    try:
        yield Served(core, latest_mail, base, server)
    finally:
        server.stop()


@pytest.fixture
def served(settings: Settings, database: Database, clock: Clock) -> Iterator[Served]:
    yield from serve(settings, database, clock)


def test_the_page_shows_the_action_with_strict_headers(served: Served) -> None:
    link = served.emailed_link()
    page = httpx.get(link)
    assert page.status_code == 200 and TASK in page.text and "What is the latest on this action?" in page.text
    headers = page.headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer" and headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert "<script" not in page.text
    style = httpx.get(f"{served.base}/answer/static/answer.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")


def test_a_post_without_the_forms_csrf_token_records_nothing(served: Served) -> None:
    link = served.emailed_link()
    before = served.events()
    with httpx.Client() as browser:
        form = browser.get(f"{link}?choice=done")
        token = CSRF.search(form.text)
        assert token is not None
        # no hidden field; a forged field; the right field without the cookie (another site's form)
        for data, cookies in (
            ({"choice": "done"}, True),
            ({"choice": "done", "csrf": token.group(1)[:-3] + "abc"}, True),
            ({"choice": "done", "csrf": token.group(1)}, False),
        ):
            if not cookies:
                browser.cookies.clear()
            answer = browser.post(link, data=data)
            assert answer.status_code == 403 and "Nothing was recorded" in answer.text
    assert served.events() == before


def test_a_whole_answer_over_http_then_already_answered(served: Served) -> None:
    link = served.emailed_link()
    with httpx.Client() as browser:
        form = browser.get(f"{link}?choice=blocked")
        token = CSRF.search(form.text)
        assert token is not None and 'name="reason"' in form.text
        missing = browser.post(link, data={"choice": "blocked", "csrf": token.group(1), "reason": ""})
        assert missing.status_code == 400 and "There is a problem" in missing.text
        token = CSRF.search(missing.text)
        assert token is not None
        done = browser.post(link, data={"choice": "blocked", "csrf": token.group(1), "reason": "Parent refused"})
        assert done.status_code == 200 and "is recorded as blocked" in done.text
        again = browser.get(link)
        assert again.status_code == 409 and "You have already answered" in again.text
        replay = browser.post(link, data={"choice": "blocked", "csrf": token.group(1), "reason": "again"})
        assert replay.status_code == 409
    with served.core.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(AnswerLinkUse)) == 1


def test_tampered_and_unknown_links_get_a_page_saying_so(served: Served) -> None:
    link = served.emailed_link()
    before = served.events()
    for bad in (link[:-4], f"{served.base}/answer/abc.def.ghi", link.replace("/answer/", "/answer/x")):
        page = httpx.get(bad)
        assert page.status_code == 404 and "This link does not work" in page.text
        assert httpx.post(bad, data={"choice": "done"}).status_code == 404
    assert served.events() == before


def test_too_many_tries_are_refused(settings: Settings, database: Database, clock: Clock) -> None:
    for served in serve(settings, database, clock, RateLimits(per_link="3/minute", per_address="100/minute")):
        link = served.emailed_link()
        statuses = [httpx.get(link).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        other = served.emailed_link("Book the strategy discussion")
        assert httpx.get(other).status_code == 200  # another link is not held back by the first


def test_the_token_is_never_logged(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    link = served.emailed_link()
    token = link.rsplit("/", 1)[1]
    with httpx.Client() as browser:
        form = browser.get(f"{link}?choice=done")
        field = CSRF.search(form.text)
        assert field is not None
        assert browser.post(link, data={"choice": "done", "csrf": field.group(1)}).status_code == 200
    # the server's own records (the test's HTTP client, httpx, logs the URLs it asks for: not ours)
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert any("recorded an answer from an email link" in m for m in ours)
    assert all(token not in m and OWNER_EMAIL not in m and TASK not in m for m in ours)


def test_a_link_edited_to_name_another_action_is_refused_and_writes_nothing(served: Served) -> None:
    """The token's payload is readable (base64 JSON), not forgeable: pointing it at another action, or at
    another person, breaks its signature."""
    link = served.emailed_link()
    served.emailed_link("Book the strategy discussion")  # A-2, the action a forger would aim at
    base, token = link.rsplit("/", 1)
    payload, stamp, signature = token.split(".")
    claim = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claim[0] == 1  # action A-1
    before = served.events()
    for index, value in ((0, 2), (1, claim[1] + 1)):  # another action; another person
        edited = list(claim)
        edited[index] = value
        forged = base64.urlsafe_b64encode(json.dumps(edited, separators=(",", ":")).encode()).rstrip(b"=").decode()
        forged_link = f"{base}/{forged}.{stamp}.{signature}"
        assert httpx.get(forged_link).status_code == 404
        assert httpx.post(forged_link, data={"choice": "done"}).status_code == 404
    assert served.events() == before
