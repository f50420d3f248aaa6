"""The answer page in a real browser (Debian's headless Chromium through Selenium and chromedriver): the owner
opens the link from the email a real SMTP relay received, presses Need more time, enters a date and a reason,
and submits."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from storage.db import Database
from storage.models import ActionEvent, EventContent, Person
from tests.conftest import IN_CI, Clock, london
from tests.email.fake_smtp import RelayServer
from tests.email.test_smtp import smtp
from tests.web.test_answer_page import OWNER_EMAIL, Served, serve

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def _driver_paths() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        if IN_CI:
            pytest.fail("CI=true but chromium and chromedriver are not installed: the answer page needs a browser")
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium chromium-driver)")
    return browser, driver


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    binary, driver_path = _driver_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"):
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.add_argument("--window-size=1000,1400")
    # chromedriver from Debian's package: Selenium Manager must not try to download one
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


def _wait(browser: object, element_id: str) -> Any:
    """The element once the page that has it has loaded (a click's navigation is not waited for)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, 20).until(expected_conditions.presence_of_element_located((By.ID, element_id)))


@pytest.fixture
def served(settings: Settings, database: Database, clock: Clock, relay: RelayServer) -> Iterator[Served]:
    """The page, over a core that emails through a real SMTP relay (STARTTLS, AUTH): the link is taken from
    the email the relay received."""
    yield from serve(settings, database, clock, email=smtp(relay), latest_mail=lambda: relay.relay.received[-1].text())


def test_more_time_from_the_email_in_a_browser(browser: object, served: Served) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    link = served.emailed_link()
    browser.get(link)
    assert "What is the latest on this action?" in browser.page_source
    browser.find_element(By.CSS_SELECTOR, "label[for=choice-more-time]").click()
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait(browser, "day")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Need more time"
    # a reason is required: the page says so, keeps what was typed, and records nothing
    browser.find_element(By.ID, "day").send_keys("4")
    browser.find_element(By.ID, "month").send_keys("12")
    browser.find_element(By.ID, "year").send_keys("2026")
    browser.find_element(By.ID, "submit").click()
    assert "There is a problem" in _wait(browser, "error-title").text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"answer-form-{served.core.db.dialect}.png"))
    assert browser.find_element(By.ID, "day").get_attribute("value") == "4"
    browser.find_element(By.ID, "reason").send_keys("Waiting for the GP's records")
    browser.find_element(By.ID, "submit").click()
    said = _wait(browser, "said").text
    assert said == "A-1 is now due Fri 4 Dec, 17:00 (extended)."
    browser.save_screenshot(str(ARTIFACTS / f"answer-page-{served.core.db.dialect}.png"))
    # the log: an extension by the owner, via the email link, with the reason and the new date
    with served.core.db.reading() as session:
        owner_id = session.scalar(select(Person.id).where(Person.email == OWNER_EMAIL))
        kind, actor, details, reason = session.execute(
            select(ActionEvent.kind, ActionEvent.actor_id, EventContent.details, EventContent.reason)
            .join(EventContent, EventContent.event_id == ActionEvent.id)
            .order_by(ActionEvent.seq.desc())
            .limit(1)
        ).one()
    assert (kind, actor, reason) == ("extended", owner_id, "Waiting for the GP's records")
    assert details["via"] == "email link" and details["to"] == london(2026, 12, 4, 17).isoformat()
    # the same link again
    browser.get(link)
    _wait(browser, "message")
    assert browser.find_element(By.TAG_NAME, "h1").text == "You have already answered"
    assert "Need more time" in browser.find_element(By.ID, "message").text
