"""Casework end to end in headless Chromium (issue 13's "done when"): an analyst onboards a customer whose
owner is a fuzzy hit on the CSL 2025 sample and decides a rental for it → the alert is in the queue →
analyst A dismisses it as a false positive with a reason → approval is requested → A is offered no approve
button and the POST is refused → analyst B approves → the decision is re-taken (ALLOW or REVIEW, as the
rules say) → screening the same customer raises no alert → editing the owner's name raises it again; the
audit chain verifies and the disposition log names every step with identities and times.

The server, browser and helpers are tests/test_web_ui.py's; this module serves the CSL 2025 sample
instead of the bundled lists. With CHIPGUARD_UI_SCREENSHOTS=DIR it saves the queue and the case page
(docs/ANALYST_GUIDE.md shows them: ``docs/images``).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_api_support import CSL_SAMPLE
from test_web_ui import Server, _by, _free_port, _need_browser, browser, post_form, sign_in, submit, text_of

from chipguard.settings import settings

__all__ = ["browser"]  # the module-scoped browser fixture of tests/test_web_ui.py, on this module's server

pytestmark = pytest.mark.slow

FUZZY_OWNER = "Atlass Sanatgaran"  # a misspelling of "Atlas Sanatgaran" (Unverified List, CSL 2025 sample)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[CaseServer]:
    _need_browser()
    home = tmp_path_factory.mktemp("ui-casework-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHIPGUARD_HOME", str(home))
        mp.delenv("CHIPGUARD_DATABASE_URL", raising=False)
        from chipguard.service import Services

        services = Services.open()
        services.snapshots.load_file(shared_data / CSL_SAMPLE)
        made = {
            who: services.keys.create(role, label, actor="test")
            for who, role, label in (
                ("analyst", "analyst", "analyst A"),
                ("analyst_b", "analyst", "analyst B"),
                ("admin", "admin", "admin"),
            )
        }
        tokens = {who: token for who, (token, _key) in made.items()}
        actors = {who: key.actor for who, (_token, key) in made.items()}
        services.engine.dispose()
    port = _free_port()
    env = dict(os.environ, CHIPGUARD_HOME=str(home), CHIPGUARD_LOG_LEVEL="warning")
    env.pop("CHIPGUARD_DATABASE_URL", None)
    log = home / "server.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "chipguard.api.asgi:serve_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server not ready: " + log.read_text()
            time.sleep(0.3)
        yield CaseServer(url, home, tokens, actors)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert "Traceback" not in log.read_text(), log.read_text()


@pytest.fixture(scope="module")
def shared_data() -> Path:
    """../shared/data (the CSL 2025 sample); skipped where it is absent, like the REST casework tests."""
    path = settings().shared_data
    if not path.is_dir():
        pytest.skip("../shared/data is not present")
    return path


@dataclass
class CaseServer(Server):
    actors: dict[str, str] = field(default_factory=dict)  # who → the actor its key writes as


def doc_screenshot(driver: Any, name: str, height: int = 1300, at: str = "", unfold: str = "") -> None:
    """With CHIPGUARD_UI_SCREENSHOTS=DIR, saves 1200 × ``height`` of the page — from its top, or from the
    element ``at`` (a CSS selector) — as DIR/NAME.png for the analyst guide: small enough to keep in the
    repository. ``unfold`` (a CSS selector of a <select>) shows its options as an open list for the shot
    (a headless browser draws no drop-down), as they are; the page is left as it was."""
    folder = settings().ui_screenshots
    if folder is None:
        return
    driver.set_window_size(1200, height)
    if unfold:
        driver.execute_script(
            "const s = document.querySelector(arguments[0]); s.size = s.options.length; s.style.height = 'auto';",
            unfold,
        )
    try:
        if at:
            driver.execute_script(
                "arguments[0].scrollIntoView(true)", driver.find_element(_by().CSS_SELECTOR, at)
            )
        else:
            driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(Path(folder, f"{name}.png")))
    finally:
        if unfold:
            driver.execute_script(
                "const s = document.querySelector(arguments[0]); s.size = 0; s.style.height = '';", unfold
            )
        driver.set_window_size(1280, 1000)


def _select(driver: Any, element_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(_by().ID, element_id)).select_by_value(value)


def _case_url(server: Server, alert_id: str) -> str:
    return f"{server.ui}/alerts/{alert_id}"


def test_the_casework_loop_in_the_browser(browser: Any, server: CaseServer, tmp_path: Path) -> None:
    By = _by()
    # ── onboarding: analyst A creates the customer and decides a rental for it ────────────────────
    sign_in(browser, server, "analyst", "/customers/new")
    browser.find_element(By.ID, "name").send_keys("Kestrel Compute LLC")
    browser.find_element(By.ID, "customer_id").send_keys("kestrel")
    browser.find_element(By.ID, "country").send_keys("AM")
    browser.find_element(By.ID, "owners").send_keys(f"{FUZZY_OWNER}; AM; 40; org")
    submit(browser, "#customer-form button[type=submit]")
    assert browser.current_url.endswith("/ui/customers/kestrel?created=1")
    browser.find_element(By.LINK_TEXT, "New decision").click()
    _select(browser, "kind", "rental")
    browser.execute_script("arguments[0].value = '2025-06-01'", browser.find_element(By.ID, "date"))
    browser.find_element(By.ID, "destination").send_keys("AM")
    browser.find_element(By.ID, "items").send_keys("H100, 8")
    submit(browser, "#decision-form button[type=submit]")
    first_decision = browser.current_url.rsplit("/", 1)[1]
    first_outcome = text_of(browser, "#decision-outcome")
    # a misspelt owner is a potential match (issue 12): REVIEW naming the hit to resolve, never DENY
    assert first_outcome == "REVIEW", text_of(browser, "#reasons")
    assert "POTENTIAL_LIST_MATCH" in text_of(browser, "#reasons")

    # ── the alert is in the queue, counted on the dashboard ───────────────────────────────────────
    browser.get(server.ui + "/")
    assert text_of(browser, "#alert-counts [data-status=open]") == "1"
    browser.find_element(By.LINK_TEXT, "Alerts").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "table.alerts tbody tr")
    assert len(rows) == 1
    row = rows[0].text
    assert FUZZY_OWNER in row and "Atlas Sanatgaran" in row and "decision" in row and "REVIEW" in row
    alert_id = rows[0].get_attribute("data-alert")
    submit(browser, f"tr[data-alert='{alert_id}'] form button")  # assign to me, back to the queue
    assert "/ui/alerts" in browser.current_url
    assert "in review" in text_of(browser, f"tr[data-alert='{alert_id}']")
    doc_screenshot(browser, "queue", 940, unfold="#assignee")

    # ── the case page: customer and owner beside the list record, the explanation ─────────────────
    browser.find_element(
        By.CSS_SELECTOR, f"tr[data-alert='{alert_id}'] a[href$='/alerts/{alert_id}']"
    ).click()
    assert FUZZY_OWNER in text_of(browser, "#case-subject")
    assert "Kestrel Compute LLC" in text_of(browser, "#case-customer")
    assert "Atlas Sanatgaran" in text_of(browser, "#case-record")
    assert "Unverified List (UVL)" in text_of(browser, "#case-record")
    assert "Matched alias" in text_of(browser, "#case-match")
    assert "dismissing a hit scoring" in text_of(browser, "#four-eyes-note")
    browser.find_element(By.ID, "note-text").send_keys("Registry extract requested and received.")
    submit(browser, "#note-form button[type=submit]")
    assert "Registry extract requested" in text_of(browser, "#case-notes")
    evidence = tmp_path / "registry-extract.txt"
    evidence.write_text("Atlass Sanatgaran Trading CJSC, Gyumri, reg. no. 286.110.1234\n", encoding="utf-8")
    browser.find_element(By.ID, "evidence-file").send_keys(str(evidence))
    submit(browser, "#evidence-form button[type=submit]")
    assert "registry-extract.txt" in text_of(browser, "#attachments")

    # ── analyst A: false positive with a reason → awaiting approval; A cannot approve ─────────────
    _select(browser, "disposition", "false_positive")
    _select(browser, "reason_code", "DIFFERENT_IDENTIFIERS")
    browser.find_element(By.ID, "reason").send_keys(
        "Registry extract: the owner is Atlass Sanatgaran Trading CJSC of Gyumri, reg. no. 286.110.1234"
    )
    doc_screenshot(browser, "case", 1250)
    doc_screenshot(browser, "case-disposition", 900, at="#case-disposition")
    submit(browser, "#dispose")
    assert "awaiting approval" in text_of(browser, "#case-result")
    assert text_of(browser, "#alert-status") == "awaiting approval"
    assert "a second person must approve" in text_of(browser, "#own-proposal")
    assert not browser.find_elements(By.ID, "approve")
    token = browser.find_element(By.CSS_SELECTOR, "input[name=csrf]").get_attribute("value")
    post_form(browser, f"/ui/alerts/{alert_id}/approve", {"csrf": token})
    assert "four eyes" in text_of(browser, "[data-testid=error-message]")

    # ── analyst B approves; the decision is re-taken without the cleared hit ──────────────────────
    sign_in(browser, server, "analyst_b", f"/alerts/{alert_id}")
    browser.find_element(By.ID, "comment").send_keys("Agreed: identifiers differ.")
    submit(browser, "#approve")
    assert text_of(browser, "#alert-status") == "closed"
    retaken = text_of(browser, "#retaken-outcome")
    assert retaken in ("ALLOW", "REVIEW"), retaken
    assert f"follows {first_decision}, which was REVIEW" in text_of(browser, "#retaken")
    facts = text_of(browser, "#disposition-facts")
    assert "DIFFERENT_IDENTIFIERS" in facts and server.actors["analyst_b"] in facts.split("Approved")[1]
    doc_screenshot(browser, "case-approved", 700)
    browser.refresh()  # the answer was a redirect: reloading posts nothing again
    assert text_of(browser, "#retaken-outcome") == retaken
    browser.find_element(By.CSS_SELECTOR, "#retaken a").click()
    assert text_of(browser, "#decision-outcome") == retaken
    follows = text_of(browser, "#decision-follows")
    assert first_decision in follows and alert_id in follows and "false positive" in follows
    resolved = text_of(browser, "#decision-dispositions")
    assert FUZZY_OWNER in resolved and "DIFFERENT_IDENTIFIERS" in resolved
    assert server.actors["analyst"] in resolved and server.actors["analyst_b"] in resolved

    # ── screening the same customer raises nothing; editing the owner's name raises it again ──────
    browser.get(server.ui + "/customers/kestrel")
    submit(browser, "form[action$='/customers/kestrel/screen'] button")
    alerts_line = text_of(browser, "#screening-alerts")
    assert alerts_line.startswith("Alerts: 0 raised") and "1 cleared by an analyst before" in alerts_line
    browser.find_element(By.ID, "edit-customer").click()
    owners = browser.find_element(By.ID, "owners")
    owners.clear()
    owners.send_keys(f"{FUZZY_OWNER} Trading; AM; 40; org")
    submit(browser, "#customer-form button[type=submit]")
    assert "Saved as version 2" in text_of(browser, "#customer-updated")
    submit(browser, "form[action$='/customers/kestrel/screen'] button")
    assert text_of(browser, "#screening-alerts").startswith("Alerts: 1 raised")
    browser.get(server.ui + "/alerts?status=open")
    (row_again,) = browser.find_elements(By.CSS_SELECTOR, "table.alerts tbody tr")
    assert f"{FUZZY_OWNER} Trading" in row_again.text and "customer screen" in row_again.text
    browser.get(server.ui + "/dispositions?q=atlas")
    assert "DIFFERENT_IDENTIFIERS" in text_of(browser, "#cleared")

    # ── the chain verifies; the disposition log names every step, who and when ────────────────────
    sign_in(browser, server, "admin", "/audit/verify")
    assert text_of(browser, "#verify-result").startswith("Chain OK")
    cookie = {"cg_session": browser.get_cookie("cg_session")["value"]}
    log = httpx.get(server.ui + "/dispositions/log.csv", cookies=cookie, timeout=60)
    assert log.status_code == 200 and log.headers["content-type"].startswith("text/csv")
    events = [r for r in csv.DictReader(io.StringIO(log.text.split("\n", 1)[1])) if r["alert_id"] == alert_id]
    assert [e["action"] for e in events] == [
        "create",
        "assign",
        "note",
        "attach",
        "disposition",
        "approve",
        "remember",
    ]
    actors = {e["action"]: e["actor"] for e in events}
    keys = {"analyst A": server.actors["analyst"], "analyst B": server.actors["analyst_b"]}
    assert actors["disposition"] == keys["analyst A"] and actors["approve"] == keys["analyst B"]
    assert all(e["at"] and e["audit_seq"] for e in events)
    case = httpx.get(f"{server.ui}/alerts/{alert_id}/export.json", cookies=cookie, timeout=60).json()
    assert (
        case["alert"]["proposed_by"] == keys["analyst A"]
        and case["alert"]["approved_by"] == keys["analyst B"]
    )
    assert case["alert"]["proposed_at"] and case["alert"]["approved_at"]
