"""A coach signs in to ``loadwatch serve`` in a real Chromium, sees their athletes only,
and signs out; the page runs under the server's Content-Security-Policy without a
single violation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import chrome, cli_server, free_port, wait_until
from selenium.webdriver.common.by import By
from test_club_access import PASSWORD, VISIBLE, _fill

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("club-browser")
    url = f"sqlite:///{folder / 'club.db'}"
    _fill(url)
    port = free_port()
    env = {"LOADWATCH_CONFIG": str(folder / "no-config.toml")}
    with cli_server(["serve", "--port", str(port), "--db", url], port=port, env=env) as proc:
        yield f"http://127.0.0.1:{port}"
    output = proc.stdout.read() if proc.stdout else ""
    assert "sign-in required" in output


def _csp_violations(driver: Any) -> list[str]:
    return [
        e["message"]
        for e in driver.get_log("browser")
        if "Content Security Policy" in e["message"] or "Refused to" in e["message"]
    ]


def _sign_in(driver: Any, base: str, user: str) -> None:
    driver.get(base + "/")
    wait_until(lambda: driver.current_url.startswith(base + "/login"), what="the login page")
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def _dropdown_options(driver: Any) -> list[str]:
    """The athletes the open dropdown offers (in Dash 4 each option carries its value in
    an input)."""
    driver.find_element(By.ID, "athlete-dropdown").click()
    options = "//*[@role='option'][not(ancestor::*[@id='unit'])]//input"
    inputs = driver.find_elements(By.XPATH, options)
    if inputs:
        return [i.get_attribute("value") for i in inputs]
    # Dash 2's dropdown (react-select) draws its options as plain text
    return [o.text for o in driver.find_elements(By.CSS_SELECTOR, ".VirtualizedSelectOption")]


def test_a_coach_signs_in_sees_their_athletes_and_signs_out(server: str) -> None:
    with chrome() as driver:
        driver.get(server + "/login")
        driver.find_element(By.ID, "username").send_keys("cora")
        driver.find_element(By.ID, "password").send_keys("wrong password")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_until(lambda: "Wrong user name or password." in driver.page_source, what="the refusal")
        _sign_in(driver, server, "cora")
        header = wait_until(
            lambda: driver.find_element(By.CSS_SELECTOR, ".lw-account").text, what="the header"
        )
        assert "cora (coach)" in header
        # the athlete shown first is one of hers, and the list holds hers only
        wait_until(
            lambda: (
                driver.find_element(By.CSS_SELECTOR, "#athlete-dropdown").text in ("Ana", "Ben")
            ),
            what="an athlete in the dropdown",
        )
        names = wait_until(lambda: _dropdown_options(driver), what="the athlete list")
        assert sorted(names) == VISIBLE["cora"]
        driver.find_element(By.TAG_NAME, "h1").click()  # close the list
        assert _csp_violations(driver) == []
        driver.find_element(By.CSS_SELECTOR, ".lw-logout button").click()
        wait_until(lambda: driver.current_url == server + "/login", what="the login page again")
        driver.get(server + "/")
        wait_until(lambda: driver.current_url.startswith(server + "/login"), what="no session")
        assert _csp_violations(driver) == []
