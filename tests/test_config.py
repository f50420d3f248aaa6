"""Settings from a TOML file and the environment."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings


def test_defaults() -> None:
    settings = load_settings({})
    assert settings == Settings()
    assert (settings.database_url, settings.timezone, settings.end_of_day) == (
        "sqlite:///actionlog.db",
        "Europe/London",
        time(17),
    )
    assert settings.holiday_subdivision == "ENG"


def test_file_then_environment(tmp_path: Path) -> None:
    path = tmp_path / "actionbot.toml"
    path.write_text('nation = "scotland"\nend_of_day = "16:30"\n[chase]\nnudge_hour = "08:45"\n', encoding="utf-8")
    settings = load_settings(
        {"ACTIONBOT_CONFIG": str(path), "ACTIONBOT_NATION": "northern-ireland", "ACTIONBOT_HANDOVER_NOTE": "no"}
    )
    assert settings.nation == "northern-ireland" and settings.holiday_subdivision == "NIR"
    assert settings.chase.handover_note is False and Settings().chase.handover_note is True
    assert settings.end_of_day == time(16, 30)
    assert settings.chase.nudge_hour == time(8, 45)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ACTIONBOT_TIMEZONE": "Mars/Olympus"}, "unknown time zone"),
        ({"ACTIONBOT_NATION": "wessex"}, "use one of"),
        ({"ACTIONBOT_PII_MODE": "ignore"}, "warn or refuse"),
        ({"ACTIONBOT_END_OF_DAY": "five"}, "end_of_day"),
        ({"ACTIONBOT_SWEEP_INTERVAL": "-5"}, "must not be negative"),
        ({"ACTIONBOT_NUDGE_HOUR": "19:00"}, "chase.nudge_hour: it must fall within"),
        ({"ACTIONBOT_CONFIG": "/nonexistent/actionbot.toml"}, "cannot read"),
        ({"ACTIONBOT_INBOX_WORKERS": "0"}, "inbox.workers: use 1 to 64"),
        ({"ACTIONBOT_INBOX_MAX_BACKLOG": "10"}, "at least inbox.busy_backlog"),
        ({"ACTIONBOT_INBOX_LEASE_SECONDS": "1"}, "inbox.lease_seconds: use 5 or more"),
    ],
)
def test_bad_settings_name_the_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


@pytest.mark.parametrize(
    ("line", "message"),
    [("weekly_report_weekday = 7", "0 \\(Monday\\) to 6"), ("trend_weeks = 0", "trend_weeks: use 1 or more")],
)
def test_drift_settings_out_of_range_name_the_setting(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "actionbot.toml"
    path.write_text(f"[drift]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings({"ACTIONBOT_CONFIG": str(path)})


def test_unknown_keys_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "actionbot.toml"
    path.write_text("[chase]\nnudge_hur = 9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown setting chase\.nudge_hur"):
        load_settings({"ACTIONBOT_CONFIG": str(path)})
