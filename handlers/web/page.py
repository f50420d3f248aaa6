"""The answer page: ``GET /answer/{token}`` shows the action and its four answers; ``?choice=...`` shows that
answer's form; ``POST`` records it through bot.actions.answer_links (the service, as a chat button does).

Refused links (expired, tampered, used, out of date) get a page that says what to do next, and nothing is
recorded. The token is never logged: the server keeps no access log and this module logs no paths.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bot.actions.answer_links import CHOICES, AnswerLinks, LinkRefused, OpenLink
from bot.actions.base import ServiceError
from bot.actions.messages import action_fields
from bot.app import Core
from handlers.web.csrf import COOKIE, FIELD, CsrfTokens
from handlers.web.guard import HSTS, SECURITY_HEADERS, RateLimits

log = logging.getLogger("actionbot.web")

HERE = Path(__file__).parent
PREFIX = "/answer"
#: What a refused link's page is answered with (the reason is on the page).
REFUSED_STATUS = {"invalid": 404, "expired": 410, "changed": 410, "answered": 409}
REFUSED_HEADING = {
    "invalid": "This link does not work",
    "expired": "This link has expired",
    "changed": "This action has changed",
    "answered": "You have already answered",
}
MAX_FORM_BYTES = 16_384

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


class AnswerPage:
    """The page's endpoints over the core's answer links."""

    def __init__(self, links: AnswerLinks, limits: RateLimits | None = None) -> None:
        self.links = links
        self.csrf = CsrfTokens(links.secret)
        self.limits = limits or RateLimits()
        self.secure = urlsplit(links.base).scheme == "https"

    # -- responses -----------------------------------------------------------------------------------
    def _html(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = _templates.get_template(template).render(prefix=PREFIX, **context)
        response = HTMLResponse(body, status_code=status)
        self._harden(response)
        return response

    def _harden(self, response: Response) -> None:
        response.headers.update(SECURITY_HEADERS)
        if self.secure:
            response.headers["Strict-Transport-Security"] = HSTS

    def _refused(self, refused: LinkRefused) -> HTMLResponse:
        return self._html(
            "refused.html.j2",
            REFUSED_STATUS.get(refused.kind, 400),
            heading=REFUSED_HEADING.get(refused.kind, "This link does not work"),
            message=str(refused),
        )

    def _too_many(self) -> HTMLResponse:
        response = self._html(
            "refused.html.j2",
            429,
            heading="Too many tries",
            message="This link or your network has been used too often. Wait ten minutes and try again.",
        )
        response.headers["Retry-After"] = "600"
        return response

    def _form(self, opened: OpenLink, choice: str | None, status: int = 200, **extra: Any) -> HTMLResponse:
        zone = self.links.service.calendar.zone
        now = self.links.clock()
        nonce = CsrfTokens.nonce()
        response = self._html(
            "answer.html.j2",
            status,
            action=opened.action,
            fields=action_fields(opened.action, zone, now),
            choices={key: CHOICES[key] for key in opened.choices},
            choice=CHOICES.get(choice or "") if choice in opened.choices else None,
            csrf_field=FIELD,
            csrf=self.csrf.field(opened.link_id, nonce),
            **extra,
        )
        response.set_cookie(
            COOKIE, nonce, max_age=7200, path=PREFIX, secure=self.secure, httponly=True, samesite="strict"
        )
        return response

    # -- endpoints -----------------------------------------------------------------------------------
    async def _open(self, request: Request) -> tuple[str, OpenLink | Response]:
        """The request's token and its link, or the page refusing it (too many tries, a refused link)."""
        token = request.path_params["token"]
        if not self.limits.allow(token, _address(request)):
            return token, self._too_many()
        try:
            return token, await anyio.to_thread.run_sync(self.links.open, token)
        except LinkRefused as refused:
            return token, self._refused(refused)

    async def show(self, request: Request) -> Response:
        _, opened = await self._open(request)
        if isinstance(opened, Response):
            return opened
        return self._form(opened, request.query_params.get("choice"))

    async def answer(self, request: Request) -> Response:
        token, opened = await self._open(request)
        if isinstance(opened, Response):
            return opened
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            return self._html("refused.html.j2", 413, heading="Too much text", message="Shorten what you wrote.")
        form = await request.form()
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        choice = values.get("choice", "")
        if not self.csrf.valid(values.get(FIELD), opened.link_id, request.cookies.get(COOKIE)):
            log.warning("refused an answer form without a valid CSRF token")
            return self._html(
                "refused.html.j2",
                403,
                heading="This form has expired",
                message="Nothing was recorded. Open the link in your email again and answer from there.",
            )
        picked = CHOICES.get(choice)
        day, problem = _day(values) if picked is not None and picked.needs_date else (None, None)
        if problem is None:
            try:
                view, said = await anyio.to_thread.run_sync(
                    lambda: self.links.answer(
                        token, choice, day=day, reason=values.get("reason", ""), note=values.get("note", "")
                    )
                )
            except LinkRefused as refused:
                return self._refused(refused)
            except ServiceError as error:
                problem = str(error)
            else:
                log.info("recorded an answer from an email link for %s", view.ref)
                return self._html("answered.html.j2", said=said, action=view)
        return self._form(opened, choice, 400, error=problem, values=values)

    async def stylesheet(self, request: Request) -> Response:
        response = FileResponse(HERE / "static" / "answer.css", media_type="text/css")
        self._harden(response)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    def asgi(self) -> Starlette:
        """The page as an app of its own, to mount at ``PREFIX`` (``/answer``)."""
        return Starlette(
            routes=[
                Route("/static/answer.css", self.stylesheet, methods=["GET"]),
                Route("/{token}", self.show, methods=["GET"]),
                Route("/{token}", self.answer, methods=["POST"]),
            ]
        )

    def mount(self) -> Mount:
        """``/answer/...``: to add to an app that already serves (Slack HTTP mode, Teams)."""
        return Mount(PREFIX, app=self.asgi())


def answer_routes(core: Core) -> list[BaseRoute]:
    """The page's routes for a server that runs anyway, or none when answer links are not configured."""
    return [AnswerPage(core.links).mount()] if core.links is not None else []


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _day(values: dict[str, str]) -> tuple[date | None, str | None]:
    """The new deadline from the GOV.UK date pattern's three fields, or why it is not a date."""
    raw = [values.get(name, "").strip() for name in ("day", "month", "year")]
    if not all(raw):
        return None, "Enter the new deadline as a day, month and year. Nothing was recorded."
    try:
        day, month, year = (int(v) for v in raw)
        if year < 100:
            year += 2000
        return datetime(year, month, day).date(), None
    except ValueError:
        return None, "The new deadline must be a real date, for example 27 3 2027. Nothing was recorded."


def web_app(page: AnswerPage, *extra: BaseRoute) -> Starlette:
    """``actionbot serve web``: the answer page alone (and ``/healthz``, given as an extra route)."""
    return Starlette(routes=[page.mount(), *extra])
