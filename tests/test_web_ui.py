"""The analyst web UI in a real browser: Debian's headless Chromium driven by Selenium against the real app
served by uvicorn (a subprocess on 127.0.0.1) over a temporary CHIPGUARD_HOME with the bundled lists.

One server and one browser serve the whole module (starting them costs seconds); each test signs in with
the role it needs. Without chromium and chromedriver the module is skipped, unless
CHIPGUARD_REQUIRE_BROWSER=1 (as .ci/run sets), where a missing browser fails instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from chipguard.settings import settings

CHROMIUM = settings().chromium
CHROMEDRIVER = settings().chromedriver

pytestmark = pytest.mark.slow


def _need_browser() -> None:
    """Skips (or, with CHIPGUARD_REQUIRE_BROWSER=1, fails) when the browser or Selenium is missing."""
    problems = [f"{p} is missing" for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        problems.append("the selenium package is not installed (pip install -e '.[dev]')")
    if not problems:
        return
    reason = "browser UI tests need Debian's chromium and chromium-driver: " + "; ".join(problems)
    if settings().require_browser:
        pytest.fail(reason + " (CHIPGUARD_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str  # http://127.0.0.1:PORT
    home: Path
    tokens: dict[str, str]  # role → API key

    @property
    def ui(self) -> str:
        return self.url + "/ui"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _need_browser()
    home = tmp_path_factory.mktemp("ui-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHIPGUARD_HOME", str(home))
        mp.delenv("CHIPGUARD_DATABASE_URL", raising=False)
        from chipguard.service import Services
        from chipguard.store.snapshot_update import load_bundled

        services = Services.open()
        load_bundled(services.snapshots)
        tokens = {
            role: services.keys.create(role, f"ui test {role}", actor="test")[0]
            for role in ("screen", "analyst", "admin", "auditor")
        }
        services.engine.dispose()
        port = _free_port()
        env = dict(os.environ, CHIPGUARD_HOME=str(home), CHIPGUARD_LOG_LEVEL="warning")
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
            yield Server(url, home, tokens)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        assert "Traceback" not in log.read_text(), log.read_text()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    # The driver path is given explicitly, so Selenium Manager is never run (it would try to download).
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


# ── helpers ──────────────────────────────────────────────────────────────────────────────────────


def _by() -> Any:
    from selenium.webdriver.common.by import By

    return By


def sign_in(driver: Any, server: Server, role: str, next_path: str = "/") -> None:
    By = _by()
    driver.delete_all_cookies()
    driver.get(server.ui + next_path)
    assert "/ui/login" in driver.current_url
    driver.find_element(By.ID, "api_key").send_keys(server.tokens[role])
    submit(driver, "form button[type=submit]")
    assert "/ui/login" not in driver.current_url, driver.page_source[:2000]


def _replaced(old: Any) -> Any:
    """A wait condition: the element ``old`` (the previous page's root) is gone. Chromium sometimes
    answers a query about a node of a page being replaced with "Node with given id does not belong to
    the document" instead of a stale-element error; that also means the page was replaced."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def gone(_driver: Any) -> bool:
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    return gone


def submit(driver: Any, css: str) -> None:
    """Clicks a submit button and waits until the next page has replaced this one."""
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(_by().TAG_NAME, "html")
    driver.find_element(_by().CSS_SELECTOR, css).click()
    WebDriverWait(driver, 60).until(_replaced(old))


def keep_screenshot(driver: Any, name: str) -> None:
    """With CHIPGUARD_UI_SCREENSHOTS=DIR, saves the whole page as DIR/NAME.png for a person to look at."""
    folder = settings().ui_screenshots
    if folder is None:
        return
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(1280, min(max(height, 600), 6000))
    try:
        driver.save_screenshot(str(Path(folder, f"{name}.png")))
    finally:
        driver.set_window_size(1280, 1000)


def text_of(driver: Any, css: str) -> str:
    return str(driver.find_element(_by().CSS_SELECTOR, css).text)


def post_form(driver: Any, action: str, fields: dict[str, str]) -> None:
    """Submits a form the page did not offer (built in the page by script), as a hand-crafted or
    cross-page POST would be: same browser, same cookies. Waits until the answer has replaced the page."""
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(_by().TAG_NAME, "html")
    driver.execute_script(
        """
        const [action, fields] = arguments;
        const form = document.createElement('form');
        form.method = 'post'; form.action = action;
        for (const [k, v] of Object.entries(fields)) {
          const input = document.createElement('input');
          input.type = 'hidden'; input.name = k; input.value = v; form.appendChild(input);
        }
        document.body.appendChild(form); form.submit();
        """,
        action,
        fields,
    )
    WebDriverWait(driver, 60).until(_replaced(old))
    assert driver.current_url.endswith(action)


def csrf_on_page(driver: Any) -> str:
    return str(driver.find_element(_by().CSS_SELECTOR, "input[name=csrf]").get_attribute("value"))


# ── tests ────────────────────────────────────────────────────────────────────────────────────────


def test_sign_in_required_wrong_key_refused_and_sign_out(browser: Any, server: Server) -> None:
    By = _by()
    browser.delete_all_cookies()
    browser.get(server.ui + "/decisions?outcome=DENY")
    assert "/ui/login" in browser.current_url and "next=" in browser.current_url
    browser.find_element(By.ID, "api_key").send_keys("cg_0123456789ab_not-the-secret")
    submit(browser, "form button[type=submit]")
    assert "Unknown or revoked API key" in text_of(browser, "#login-error")
    assert browser.get_cookie("cg_session") is None
    browser.find_element(By.ID, "api_key").send_keys(server.tokens["analyst"])
    submit(browser, "form button[type=submit]")
    # back where the analyst was going, with the filter kept
    assert browser.current_url.endswith("/ui/decisions?outcome=DENY")
    cookie = browser.get_cookie("cg_session")
    assert cookie is not None and cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert server.tokens["analyst"].split("_", 2)[2] not in cookie["value"]  # the secret never sits in it
    assert text_of(browser, ".who .role").lower() == "analyst"
    submit(browser, ".who button")
    assert "You are signed out." in browser.page_source
    browser.get(server.ui + "/")
    assert "/ui/login" in browser.current_url
    # a forged session cookie is no session either
    browser.add_cookie({"name": "cg_session", "value": cookie["value"][:-4] + "AAAA", "path": "/ui"})
    browser.get(server.ui + "/")
    assert "/ui/login" in browser.current_url


def test_dashboard_lists_staleness_and_screenshot(browser: Any, server: Server, tmp_path: Path) -> None:
    sign_in(browser, server, "admin")
    banner = text_of(browser, ".banner")
    assert "stale" in banner.lower() and "will not ALLOW" in banner
    lists = text_of(browser, "#lists")
    assert "us_csl" in lists and "un" in lists and "2022-04" in lists and "STALE" in lists
    assert "14,160" in lists  # record count of the bundled CSL snapshot
    counts = {
        e.get_attribute("data-outcome"): int(e.text)
        for e in browser.find_elements(_by().CSS_SELECTOR, "#outcome-counts .tile-count")
    }
    assert set(counts) == {"ALLOW", "REVIEW", "DENY", "LICENCE_REQUIRED"}
    shot = tmp_path / "dashboard.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_screen_a_chinese_name_shows_the_hikvision_hit_explained(browser: Any, server: Server) -> None:
    from selenium.webdriver.support.ui import Select

    By = _by()
    sign_in(browser, server, "screen", "/screen")  # the lowest role screens, as in the REST API
    browser.find_element(By.ID, "name").send_keys("杭州海康威视数字技术股份有限公司")
    Select(browser.find_element(By.ID, "kind")).select_by_value("org")
    browser.find_element(By.ID, "country").send_keys("CN")
    submit(browser, "#screen-form button[type=submit]")
    result = text_of(browser, "#screen-result")
    assert "杭州海康威视数字技术股份有限公司" in result
    assert "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD." in result.upper()
    assert "Entity List (EL)" in result  # the list source
    first = browser.find_element(By.CSS_SELECTOR, "#screen-result .hit")
    assert first.find_element(By.CSS_SELECTOR, ".score").text == "1.000"
    assert first.find_element(By.CSS_SELECTOR, ".matched").text.startswith("杭州海康威视数字技术股份有限公司")
    # Traditional characters: the explanation shows the transliteration/translation steps
    browser.find_element(By.ID, "name").clear()
    browser.find_element(By.ID, "name").send_keys("杭州海康威視數字技術有限公司")
    submit(browser, "#screen-form button[type=submit]")
    result = text_of(browser, "#screen-result")
    assert "HIKVISION" in result.upper()
    assert "Traditional→Simplified" in result and "海康威视→Haikangweishi" in result
    # bad input is named, not a crash
    keep_screenshot(browser, "screen")
    browser.find_element(By.ID, "name").clear()
    browser.find_element(By.ID, "name").send_keys("!!!")
    submit(browser, "#screen-form button[type=submit]")
    assert "no letters or digits" in text_of(browser, "#form-errors")


def test_screen_limit_shows_more_hits_and_a_larger_one_is_refused(browser: Any, server: Server) -> None:
    """The form's limit field: a big name's hits past it are counted ("N more … past the limit of 3"),
    raising it shows them, and the bound (the rule set's screening_hit_limit, as REST and the CLI) holds
    in the browser (the field refuses more) and on the server (a hand-made POST is a 422 naming it)."""
    from chipguard.service.services import max_hits_per_name

    By = _by()
    bound = max_hits_per_name()
    sign_in(browser, server, "screen", "/screen")
    limit = browser.find_element(By.ID, "limit")
    assert limit.get_attribute("value") == "10" and limit.get_attribute("max") == str(bound)
    browser.find_element(By.ID, "name").send_keys("HUAWEI TECHNOLOGIES CO., LTD.")
    limit.clear()
    limit.send_keys("3")
    submit(browser, "#screen-form button[type=submit]")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#screen-result .hit")) == 3
    more = int(text_of(browser, "#hits-omitted").split()[0])
    assert more > 0 and "past the limit of 3" in text_of(browser, "#hits-omitted")
    assert browser.find_element(By.ID, "limit").get_attribute("value") == "3"  # the form keeps it
    browser.find_element(By.ID, "limit").clear()
    browser.find_element(By.ID, "limit").send_keys(str(3 + more))
    submit(browser, "#screen-form button[type=submit]")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#screen-result .hit")) == 3 + more
    assert not browser.find_elements(By.ID, "hits-omitted")
    # past the bound: the browser does not send the form …
    field = browser.find_element(By.ID, "limit")
    field.clear()
    field.send_keys(str(bound + 1))
    assert browser.execute_script("return arguments[0].validity.rangeOverflow", field) is True
    # … and the server refuses a POST made without the form, naming the field
    fields = {"csrf": csrf_on_page(browser), "name": "HUAWEI", "limit": str(bound + 1)}
    post_form(browser, server.ui + "/screen", fields)
    errors = text_of(browser, "#form-errors")
    assert "limit" in errors and f"from 1 to {bound}" in errors
    assert not browser.find_elements(By.ID, "screen-result")


def test_decision_made_in_the_ui_is_listed_explained_and_replayed(browser: Any, server: Server) -> None:
    from selenium.webdriver.support.ui import Select

    By = _by()
    sign_in(browser, server, "analyst", "/decisions/new")
    Select(browser.find_element(By.ID, "kind")).select_by_value("sale")
    date_input = browser.find_element(By.ID, "date")
    browser.execute_script("arguments[0].value = '2024-09-02'", date_input)
    browser.find_element(By.ID, "destination").send_keys("AE")
    browser.find_element(By.ID, "end_use").send_keys("AI model training")
    browser.find_element(By.ID, "items").send_keys("A100, 8")
    browser.find_element(By.ID, "c_name").send_keys("Gulf Compute Trading LLC")
    browser.find_element(By.ID, "c_country").send_keys("AE")
    browser.find_element(By.ID, "c_owners").send_keys("Iran Electronics Industries; IR; 50; org")
    submit(browser, "#decision-form button[type=submit]")

    decision_id = browser.current_url.rsplit("/", 1)[1]
    assert browser.current_url.startswith(server.ui + "/decisions/") and decision_id != "new"
    assert text_of(browser, "#decision-outcome") == "DENY"
    reasons = text_of(browser, "#reasons")
    assert "RP-OFAC-50" in reasons and "50 Percent Rule" in reasons
    assert "OP-LISTS-STALE" in reasons  # the stale bundled lists are a reason of their own
    assert text_of(browser, "#rule-set").startswith("chipguard-us-ear ")
    assert "us_csl:" in text_of(browser, "#snapshots")
    keep_screenshot(browser, "decision")

    submit(browser, "#replay")
    assert "Replay reproduces the decision" in text_of(browser, "#replay-result")

    # the list, filtered by outcome and date
    def listed(query: str) -> bool:
        browser.get(f"{server.ui}/decisions?{query}")
        return bool(browser.find_elements(By.CSS_SELECTOR, f"a[href$='/decisions/{decision_id}']"))

    today = date.today()
    assert listed("outcome=DENY")
    assert listed(f"outcome=DENY&date_from={today}&date_to={today}")
    assert not listed("outcome=ALLOW")
    assert not listed(f"date_from={today + timedelta(days=1)}")
    browser.get(server.ui + "/")
    assert int(browser.find_element(By.CSS_SELECTOR, "[data-outcome=DENY]").text) >= 1
    assert "Gulf Compute Trading LLC" in text_of(browser, "table.decisions")
    # a bad transaction is named on the form, not a stack trace
    browser.get(server.ui + "/decisions/new")
    browser.find_element(By.ID, "c_name").send_keys("Somebody")
    browser.find_element(By.ID, "destination").send_keys("AE")
    submit(browser, "#decision-form button[type=submit]")
    assert "items" in text_of(browser, "#form-errors")


def test_customer_name_with_markup_is_escaped_and_history_shown(browser: Any, server: Server) -> None:
    By = _by()
    sign_in(browser, server, "analyst", "/customers/new")
    payload = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">华为 Acme'
    browser.find_element(By.ID, "name").send_keys(payload)
    browser.find_element(By.ID, "customer_id").send_keys("cust-xss-1")
    browser.find_element(By.ID, "country").send_keys("CN")
    browser.find_element(By.ID, "owners").send_keys("Huawei Investment & Holding Co., Ltd.; CN; 100; org")
    submit(browser, "#customer-form button[type=submit]")
    assert browser.current_url.endswith("/ui/customers/cust-xss-1?created=1")
    assert text_of(browser, "#customer-name") == payload  # shown as text, characters intact
    assert browser.execute_script("return window.__xss === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "main img, main script")
    assert "&lt;script&gt;" in browser.page_source
    assert "Huawei Investment" in text_of(browser, "#owners")
    assert "1" in text_of(browser, "#history tbody tr td")
    # screening the customer (audited) screens its owner too
    submit(browser, "form[action$='/screen'] button")
    assert "owner:Huawei Investment" in text_of(browser, "#customer-screening")
    keep_screenshot(browser, "customer")
    # a decision for the stored customer (its whole record, not just the name) is listed on its page
    browser.find_element(By.LINK_TEXT, "New decision").click()
    assert browser.find_element(By.ID, "customer_id").get_attribute("value") == "cust-xss-1"
    browser.find_element(By.ID, "destination").send_keys("CN")
    browser.find_element(By.ID, "items").send_keys("H100 SXM5 80GB, 4")
    submit(browser, "#decision-form button[type=submit]")
    assert "RP-OWNER-PARENT-LISTED" in text_of(browser, "#reasons")  # the stored owner was screened
    browser.find_element(By.PARTIAL_LINK_TEXT, "华为 Acme").click()
    assert browser.current_url.endswith("/ui/customers/cust-xss-1")
    assert "H100 SXM5 80GB × 4" in text_of(browser, "table.decisions")
    assert browser.execute_script("return window.__xss === undefined")
    # the list and its search
    browser.get(server.ui + "/customers?q=" + "华为")
    assert payload in text_of(browser, "#customers")
    assert browser.execute_script("return window.__xss === undefined")


def test_posts_without_csrf_token_or_role_are_refused(browser: Any, server: Server) -> None:
    sign_in(browser, server, "analyst", "/customers")
    post_form(browser, "/ui/customers/new", {"name": "No Token Trading", "customer_id": "no-token"})
    assert "security token" in text_of(browser, "[data-testid=error-message]")
    browser.get(server.ui + "/customers?q=no-token")
    assert "No customer matches" in text_of(browser, "main")
    # a wrong token is no better than none
    post_form(browser, "/ui/customers/new", {"name": "X", "csrf": "forged"})
    assert "security token" in text_of(browser, "[data-testid=error-message]")

    # The lowest role ('screen', which can look at lists and screen names — as in the REST API) holds a
    # valid CSRF token and still cannot reach the analyst forms' POSTs, nor is it shown them.
    sign_in(browser, server, "screen")
    nav = text_of(browser, "header nav")
    assert "Screen" in nav and "Decisions" not in nav and "Customers" not in nav and "Audit" not in nav
    token = csrf_on_page(browser)
    post_form(
        browser, "/ui/decisions/new", {"csrf": token, "c_name": "X", "items": "A100", "destination": "CN"}
    )
    assert "needs the 'analyst' role" in text_of(browser, "[data-testid=error-message]")
    post_form(browser, "/ui/customers/new", {"csrf": token, "name": "Screen Role Co"})
    assert "needs the 'analyst' role" in text_of(browser, "[data-testid=error-message]")
    browser.get(server.ui + "/decisions")
    assert "needs the 'analyst' role" in text_of(browser, "[data-testid=error-message]")
    # an analyst is not an admin
    sign_in(browser, server, "analyst")
    browser.get(server.ui + "/audit")
    assert "needs the 'admin' role" in text_of(browser, "[data-testid=error-message]")
    post_form(browser, "/ui/keys", {"csrf": csrf_on_page(browser), "role": "admin"})
    assert "needs the 'admin' role" in text_of(browser, "[data-testid=error-message]")


def test_error_pages_and_keyboard_use(browser: Any, server: Server) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    By = _by()
    sign_in(browser, server, "analyst")
    browser.get(server.ui + "/decisions/dec_doesnotexist")
    assert "no decision 'dec_doesnotexist'" in text_of(browser, "[data-testid=error-message]")
    browser.get(server.ui + "/no/such/page")
    assert "There is no such page." in text_of(browser, "main")
    browser.get(server.ui + "/decisions?date_from=yesterday")
    assert "not a date" in text_of(browser, "[data-testid=error-message]")
    assert "Traceback" not in browser.page_source
    # every visible field of the main forms has a label; Tab reaches the skip link first
    for path in ("/screen", "/decisions/new", "/customers/new"):
        browser.get(server.ui + path)
        fields = browser.find_elements(
            By.CSS_SELECTOR, "main input:not([type=hidden]), main select, main textarea"
        )
        assert fields
        for field in fields:
            fid = field.get_attribute("id")
            assert fid and browser.find_elements(By.CSS_SELECTOR, f"label[for='{fid}']"), (path, fid)
    # the screen form has the cursor in its name field; elsewhere Tab reaches "Skip to content" first
    browser.get(server.ui + "/screen")
    assert browser.switch_to.active_element.get_attribute("id") == "name"
    browser.get(server.ui + "/")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element.get_attribute("class") == "skip"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "main"


def test_auditor_sees_a_decision_and_its_replay_and_no_create_forms(browser: Any, server: Server) -> None:
    By = _by()
    # an analyst decides (through the REST API: this test is about what the auditor sees)
    r = httpx.post(
        server.url + "/v1/decisions",
        json={
            "date": "2024-09-02",
            "kind": "sale",
            "destination": "AE",
            "customer": {"name": "Auditor Check Trading FZE", "country": "AE"},
            "items": [{"model": "A100", "quantity": 2}],
        },
        headers={"X-API-Key": server.tokens["analyst"]},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    decision_id, outcome = r.json()["decision_id"], r.json()["outcome"]

    sign_in(browser, server, "auditor", "/decisions")
    assert text_of(browser, ".who .role").lower() == "auditor"
    nav = text_of(browser, "header nav")
    assert all(n in nav for n in ("Dashboard", "Customers", "Decisions", "Audit"))
    assert "Screen" not in nav and "Keys" not in nav
    assert not browser.find_elements(By.PARTIAL_LINK_TEXT, "New decision")
    browser.find_element(By.CSS_SELECTOR, f"a[href$='/decisions/{decision_id}']").click()
    assert text_of(browser, "#decision-outcome") == outcome
    assert "Auditor Check Trading FZE" in text_of(browser, "main")
    submit(browser, "#replay")
    assert "Replay reproduces the decision" in text_of(browser, "#replay-result")
    # the only forms on the page: the replay and sign-out; nothing creates or screens
    actions = {f.get_attribute("action") for f in browser.find_elements(By.TAG_NAME, "form")}
    assert actions == {f"{server.ui}/decisions/{decision_id}/replay", f"{server.ui}/logout"}, actions
    for path in ("/", "/customers", "/decisions"):
        browser.get(server.ui + path)
        assert not browser.find_elements(By.CSS_SELECTOR, "a[href$='/new'], form[method=post]:not(.inline)")
        assert not browser.find_elements(By.CSS_SELECTOR, "form[action$='/screen']")
    browser.get(server.ui + "/decisions/new")  # typed in by hand: refused, not shown
    assert "needs the 'analyst' role" in text_of(browser, "[data-testid=error-message]")
    keep_screenshot(browser, "auditor-decision")


def test_audit_verify_export_and_broken_chain(browser: Any, server: Server) -> None:
    By = _by()
    sign_in(browser, server, "admin", "/audit")
    actions = text_of(browser, "#audit-entries")
    assert "decision.create" in actions and "customer.create" in actions
    browser.find_element(By.LINK_TEXT, "Verify chain").click()
    assert text_of(browser, "#verify-result").startswith("Chain OK")
    href = browser.find_element(By.ID, "export-csv").get_attribute("href")
    cookie = browser.get_cookie("cg_session")["value"]
    r = httpx.get(href, cookies={"cg_session": cookie})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    lines = r.text.splitlines()
    assert lines[0] == "seq,ts,actor,action,payload,prev_hash,hash" and len(lines) > 5
    assert httpx.get(href).status_code in (303, 307)  # no session, no export

    # someone edits entry 2 behind the application's back: the page names it
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from chipguard.store import testing
    from chipguard.store.db import get_engine
    from chipguard.store.records import AuditEntryRow

    engine = get_engine(f"sqlite:///{server.home / 'chipguard.db'}")
    testing.allow_tampering(engine)
    with Session(engine) as s, s.begin():
        s.execute(update(AuditEntryRow).where(AuditEntryRow.seq == 2).values(actor="key:someoneelse"))
    engine.dispose()
    browser.get(server.ui + "/audit/verify")
    result = text_of(browser, "#verify-result")
    assert result.startswith("Chain BROKEN") and "entry 2 — edited" in result
    keep_screenshot(browser, "audit-broken")
