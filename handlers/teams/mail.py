"""Email by Microsoft Graph ``/users/{MAIL_SENDER}/sendMail`` (``ACTIONBOT_EMAIL=graph``, and Teams' own fallback).

The message is sent in MIME form (Graph's documented ``text/plain`` base64 upload) as handlers.email.render
builds it: a plain-text and an HTML part, with answer links. Needs Mail.Send (application), which an Exchange
application access policy should restrict to the MAIL_SENDER mailbox (docs/teams.md).
"""

from __future__ import annotations

import base64
import logging

from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.graph_service_client import GraphServiceClient

from bot.actions.messages import Message
from bot.actions.ports import Delivered, DeliveryError
from bot.actions.records import PersonView
from bot.chasing.pacing import SendLimits
from handlers.email.channel import EmailChannel
from handlers.email.render import mime_message
from handlers.teams.graph import delivery_error
from handlers.teams.runner import LoopRunner

log = logging.getLogger("actionbot.teams.mail")


class EmailMessenger(EmailChannel):
    """The ``email`` channel: anyone with an email address. Conversations do not exist by email."""

    #: Exchange Online sends at most 30 messages a minute from one mailbox, and Graph allows 4 requests at
    #: once per mailbox (learn.microsoft.com: "Exchange Online limits", "Microsoft Graph service limits").
    limits = SendLimits(per_minute=30, in_flight=4)

    def __init__(
        self,
        graph: GraphServiceClient,
        runner: LoopRunner,
        sender: str,
        *,
        timeout: float = 120.0,
        minimal: bool = True,
    ) -> None:
        self.graph = graph
        self.runner = runner
        self.sender = sender
        self.timeout = timeout
        self.minimal = minimal

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        if not person.email:
            raise DeliveryError("email: the person has no address", permanent=True)
        mail = mime_message(self.sender, person, message, minimal=self.minimal)
        try:
            self.runner.run(self._send(mail.as_bytes()), self.timeout)
        except DeliveryError:
            raise
        except Exception as error:
            raise delivery_error("sendMail", error) from None
        log.info("emailed person %s", person.id)
        return Delivered(self.channel, str(mail["Message-ID"]))

    async def _send(self, mime: bytes) -> None:
        # The SDK's sendMail builder sends JSON; MIME needs the same URL with a base64 text/plain body.
        builder = self.graph.users.by_user_id(self.sender).send_mail
        request = RequestInformation(Method.POST, builder.url_template, builder.path_parameters)
        request.headers.try_add("Accept", "application/json")
        request.set_stream_content(base64.b64encode(mime), "text/plain")
        await self.graph.request_adapter.send_no_response_content_async(request, {"XXX": ODataError})
