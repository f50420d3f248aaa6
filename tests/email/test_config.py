"""Choosing and configuring the email transport: each missing or malformed setting names itself, in one line;
the messengers the environment gives (bot.compose.messengers_from_env)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.actions.ports import Messenger
from bot.app import Core
from bot.compose import messengers_from_env
from bot.config import ConfigError, load_settings
from handlers.email.notify import NotifyMessenger
from handlers.email.smtp import SmtpMessenger
from handlers.teams.mail import EmailMessenger
from handlers.teams.messenger import TeamsMessenger
from tests.email.fake_notify import API_KEY, TEMPLATE_ID
from tests.teams.conftest import BOT_ID, TENANT

SENDER = "actionbot@council.gov.uk"
SMTP = {"ACTIONBOT_EMAIL": "smtp", "MAIL_SENDER": SENDER, "ACTIONBOT_SMTP_HOST": "send.nhs.net"}
AUTH = {"ACTIONBOT_SMTP_USER": SENDER, "ACTIONBOT_SMTP_PASSWORD": "pw"}
NOTIFY = {"ACTIONBOT_EMAIL": "notify", "MAIL_SENDER": SENDER, "NOTIFY_TEMPLATE_ID": TEMPLATE_ID}
TEAMS = {"TEAMS_CLIENT_ID": BOT_ID, "TEAMS_CLIENT_SECRET": "s3cret~value", "TEAMS_TENANT_ID": TENANT}
GRAPH = {
    "GRAPH_CLIENT_ID": "9a9a9a9a-0000-4000-8000-000000000021",
    "GRAPH_TENANT_ID": TENANT,
    "GRAPH_CLIENT_SECRET": "x",
}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ACTIONBOT_EMAIL": "sendgrid"}, "^setting ACTIONBOT_EMAIL: use notify, smtp or graph"),
        ({"ACTIONBOT_EMAIL": "smtp"}, "^setting MAIL_SENDER: ACTIONBOT_EMAIL=smtp needs"),
        ({**SMTP, "ACTIONBOT_SMTP_HOST": ""}, "^setting ACTIONBOT_SMTP_HOST"),
        ({**SMTP, "ACTIONBOT_SMTP_PORT": "70000"}, "^setting ACTIONBOT_SMTP_PORT"),
        ({**SMTP, "ACTIONBOT_SMTP_PORT": "twenty-five"}, "^setting email.smtp_port"),
        ({**SMTP, "ACTIONBOT_SMTP_STARTTLS": "off"}, "^setting ACTIONBOT_SMTP_STARTTLS: it may be off only"),
        ({**NOTIFY, "NOTIFY_TEMPLATE_ID": ""}, "^setting NOTIFY_TEMPLATE_ID: ACTIONBOT_EMAIL=notify needs"),
        ({**NOTIFY, "NOTIFY_TEMPLATE_ID": "nudge-template"}, "^setting NOTIFY_TEMPLATE_ID: use the template's id"),
        ({**NOTIFY, "NOTIFY_BASE_URL": "http://notify.example"}, "^setting NOTIFY_BASE_URL"),
        ({**SMTP, "ACTIONBOT_EMAIL_BODY": "everything"}, "^setting email.body"),
    ],
)
def test_bad_email_settings_name_the_setting(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(environ)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (NOTIFY, "^NOTIFY_API_KEY is not set"),
        ({**NOTIFY, "NOTIFY_API_KEY": "3c2b1a00-6f5e-4d3c-8b2a-19f8e7d6c5b4"}, "^NOTIFY_API_KEY is malformed"),
        ({**NOTIFY, "NOTIFY_API_KEY": API_KEY[:-1]}, "^NOTIFY_API_KEY is malformed"),
        ({**SMTP, "ACTIONBOT_SMTP_USER": SENDER}, "^ACTIONBOT_SMTP_PASSWORD is not set"),
        ({**SMTP, "ACTIONBOT_SMTP_PASSWORD": "pw"}, "^ACTIONBOT_SMTP_PASSWORD is set but ACTIONBOT_SMTP_USER is not"),
        ({"ACTIONBOT_EMAIL": "graph", "MAIL_SENDER": SENDER}, "^ACTIONBOT_EMAIL=graph needs Microsoft Graph"),
        (
            {"ACTIONBOT_EMAIL": "graph", "MAIL_SENDER": SENDER, **GRAPH, "GRAPH_CLIENT_SECRET": ""},
            "GRAPH_CLIENT_SECRET",
        ),
        # With SMTP chosen, MAIL_SENDER does not ask for Graph: the Teams bot's own missing secret is named.
        ({**SMTP, **AUTH, **TEAMS, "TEAMS_CLIENT_SECRET": ""}, "^TEAMS_CLIENT_SECRET is not set"),
    ],
)
def test_missing_or_malformed_secrets_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        messengers_from_env(environ)
    assert "\n" not in str(caught.value)
    assert API_KEY[-36:] not in str(caught.value) and "pw" not in str(caught.value).split()  # secrets never shown


@pytest.fixture
def built() -> Iterator[list[Messenger]]:
    """Messengers a test built; Microsoft ones' private event loops are closed afterwards."""
    made: list[Messenger] = []
    yield made
    for messenger in made:
        runner = getattr(messenger, "runner", None)
        if runner is not None:
            runner.close()


def test_smtp_alone_is_the_one_email_messenger() -> None:
    [email] = messengers_from_env({**SMTP, **AUTH, **GRAPH})  # Graph credentials do not add Graph email
    assert isinstance(email, SmtpMessenger)
    assert (email.host, email.port, email.user, email.starttls, email.minimal) == (
        "send.nhs.net",
        587,
        SENDER,
        True,
        True,
    )
    assert "pw" not in repr(email)
    [full] = messengers_from_env({**SMTP, "ACTIONBOT_EMAIL_BODY": "full"})
    assert isinstance(full, SmtpMessenger) and full.minimal is False and full.user is None


def test_notify_alone_is_the_one_email_messenger() -> None:
    [email] = messengers_from_env({**NOTIFY, "NOTIFY_API_KEY": API_KEY, "NOTIFY_BASE_URL": "http://127.0.0.1:9"})
    assert isinstance(email, NotifyMessenger)
    assert (email.template_id, email.base_url, email.minimal) == (TEMPLATE_ID, "http://127.0.0.1:9", True)
    assert API_KEY not in repr(email)


def test_with_teams_the_chosen_transport_is_teams_fallback_and_added_once(cli_url: str, built: list[Messenger]) -> None:
    built += messengers_from_env({"DATABASE_URL": cli_url, **TEAMS, **SMTP, **AUTH})
    teams, email = built
    assert isinstance(teams, TeamsMessenger) and isinstance(email, SmtpMessenger)
    assert teams.fallback is email  # not Graph sendMail


def test_graph_is_added_once_and_follows_the_body_setting(cli_url: str, built: list[Messenger]) -> None:
    environ = {"DATABASE_URL": cli_url, "ACTIONBOT_EMAIL": "graph", "MAIL_SENDER": SENDER, **GRAPH}
    built += messengers_from_env(environ)
    [email] = built
    assert isinstance(email, EmailMessenger) and email.minimal is True
    built += messengers_from_env({**environ, **TEAMS, "ACTIONBOT_EMAIL_BODY": "full"})
    teams, graph_email = built[1:]
    assert isinstance(teams, TeamsMessenger) and isinstance(graph_email, EmailMessenger)
    assert teams.fallback is graph_email and graph_email.minimal is False


def test_the_slack_server_emails_people_outside_the_workspace(core: Core) -> None:
    """``actionbot serve slack`` adds, besides Slack, the email transport the environment chooses."""
    from handlers.slack.main import add_email

    environ = {**SMTP, **AUTH, "SLACK_BOT_TOKEN": "xoxb-not-used-here"}
    core.settings = load_settings(environ)
    add_email(core, environ)
    assert [type(m) for m in core.router.messengers] == [SmtpMessenger]
