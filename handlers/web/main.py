"""``actionbot serve web``: the answer page on its own (for a deployment whose chat runs elsewhere, or in
Socket Mode), on uvicorn with graceful stops and ``/healthz``. HTTP only: run it behind the council's TLS
proxy, which ``ACTIONBOT_PUBLIC_URL`` (https) names; the proxy's address must be in ``FORWARDED_ALLOW_IPS``
(uvicorn's setting; default 127.0.0.1) for the rate limits to see each client's own address."""

from __future__ import annotations

import asyncio
import logging

from starlette.routing import Route

from bot.app import Core
from bot.config import ConfigError
from bot.health import check
from handlers import serving
from handlers.web.page import PREFIX, AnswerPage, web_app

log = logging.getLogger("actionbot.web")


def serve_web(core: Core, *, host: str, port: int) -> int:
    if core.links is None:
        raise ConfigError("ACTIONBOT_PUBLIC_URL is not set: the page has no links to answer (docs/email.md)")
    serving.configure_logging()
    sock = serving.listen(host, port)
    health = serving.health_endpoint(lambda: check(core, scheduler_alive=None, inbox_running=False))
    app = web_app(AnswerPage(core.links), Route("/healthz", health, methods=["GET"]))
    server = serving.server(app)
    address = sock.getsockname()
    log.info("answer page on http://%s:%s%s/... for %s", address[0], address[1], PREFIX, core.links.base)
    try:
        # uvicorn stops gracefully on the first signal, then raises it again: that one only ends the wait.
        with serving.stop_on_signals():
            asyncio.run(server.serve(sockets=[sock]))
    finally:
        sock.close()
    return 0
