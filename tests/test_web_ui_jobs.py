"""Background jobs in headless Chromium (issue 13 item 10): an analyst uploads a file of 12,000 names, is
taken to the job's page at once, watches the progress move on that same page (the page's script polls
the job's status; no reload) and, when the job is done, sees the rows that hit with their strength and
downloads the results; a file of customers is imported the same way and its alerts open in the queue.

The server, browser and helpers are tests/test_web_ui_casework.py's (the CSL 2025 sample loaded). With
CHIPGUARD_UI_SCREENSHOTS=DIR the job pages are saved for docs/ANALYST_GUIDE.md (``docs/images``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from test_web_ui import _by, sign_in, submit, text_of
from test_web_ui_casework import CaseServer, browser, doc_screenshot, server, shared_data

__all__ = ["browser", "server", "shared_data"]  # the module-scoped fixtures, on this module's server

pytestmark = pytest.mark.slow

ROWS = 12_000
HITS = {1: "Atlas Sanatgaran", 7_001: "Atlas Sanatgaran"}  # rows (1-based) that name a listed party
WORDS = ("Amber", "Birch", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper")
KINDS = ("Trading", "Logistics", "Analytics", "Foods", "Textiles", "Robotics", "Marine", "Studios")


def _names_file(folder: Path) -> Path:
    """12,000 names (about 450 KB, under the upload limit): made-up companies, and a listed name twice."""
    lines = ["id,name,kind,country"]
    for i in range(1, ROWS + 1):
        name = HITS.get(i) or f"{WORDS[i % 10]} {WORDS[(i // 10) % 10]} {KINDS[i % 8]} {i}"
        lines.append(f"n{i},{name},org,{'AM' if i in HITS else 'DE'}")
    path = folder / "prospects.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _wait_for(condition: Any, seconds: float = 180) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(None, seconds, poll_frequency=0.2).until(lambda _: condition())


def test_upload_follow_the_progress_and_take_the_results(
    browser: Any, server: CaseServer, tmp_path: Path
) -> None:
    By = _by()
    sign_in(browser, server, "analyst", "/batch")
    browser.find_element(By.ID, "batch-file").send_keys(str(_names_file(tmp_path)))
    submit(browser, "#batch-form button[type=submit]")
    assert "/ui/jobs/job_" in browser.current_url, browser.page_source[:2000]
    job_url = browser.current_url
    job_id = job_url.rsplit("/", 1)[1]
    assert text_of(browser, "#job-total") == f"{ROWS:,}"

    # ── live progress on this very page: the count moves while the document stays the same ───────
    page = browser.find_element(By.TAG_NAME, "html")
    seen: list[int] = []

    def moving() -> bool:
        status = text_of(browser, "#job-status")
        done = int(text_of(browser, "#job-done").replace(",", ""))
        if status == "running" and 0 < done < ROWS:
            seen.append(done)
        return len(set(seen)) >= 2 or status in ("done", "failed")

    _wait_for(moving)
    assert len(set(seen)) >= 2, f"no progress seen between 0 and {ROWS}: {seen}"
    assert seen == sorted(seen)
    page.is_enabled()  # still the same document: the script moved the count, no reload did
    bar = browser.find_element(By.ID, "job-bar")
    assert 0 < float(bar.get_attribute("value")) < ROWS or text_of(browser, "#job-status") != "running"
    doc_screenshot(browser, "batch-progress", 620)

    # ── done: the page reloads itself and shows the rows that hit, with the downloads ─────────────
    _wait_for(lambda: "job-results" in browser.page_source and text_of(browser, "#job-status") == "done")
    assert text_of(browser, "#job-done") == f"{ROWS:,}"
    rows = browser.find_elements(By.CSS_SELECTOR, "#job-rows tbody tr")
    hit_ids = [r.get_attribute("data-row") for r in rows]
    assert {f"n{i}" for i in HITS} <= set(hit_ids)
    first = browser.find_element(By.CSS_SELECTOR, "#job-rows tr[data-row='n1']").text
    assert "Atlas Sanatgaran" in first and any(s in first for s in ("confirmed", "potential", "weak"))
    assert int(text_of(browser, "#job-hits").replace(",", "")) == len(rows)
    doc_screenshot(browser, "batch-results", 900)
    link = browser.find_element(By.ID, "job-download-csv").get_attribute("href")
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    download = httpx.get(link, cookies=cookies, timeout=60)
    # a comment line naming the job, the header, then every row (once per hit, once when none)
    assert download.status_code == 200 and download.text.count("\n") >= ROWS + 2
    assert "7002,n7001,Atlas Sanatgaran,org,AM" in download.text

    # a reload (or another analyst) finds the same job, finished
    browser.get(job_url)
    assert text_of(browser, "#job-status") == "done"
    browser.get(server.ui + "/jobs")
    assert job_id in text_of(browser, "main")


def test_import_customers_and_open_their_alerts(browser: Any, server: CaseServer, tmp_path: Path) -> None:
    By = _by()
    customers = tmp_path / "onboarding.csv"
    customers.write_text(
        "customer_id,name,country,owner1_name,owner1_country,owner1_percent\n"
        "heron,Heron Compute LLC,AM,Atlas Sanatgaran,AM,40\n"
        "wren,Wren Robotics GmbH,DE,,,\n",
        encoding="utf-8",
    )
    sign_in(browser, server, "analyst", "/customers")
    browser.find_element(By.ID, "import-customers").click()
    browser.find_element(By.ID, "import-file").send_keys(str(customers))
    submit(browser, "#import-form button[type=submit]")
    assert "/ui/jobs/job_" in browser.current_url
    _wait_for(lambda: "job-results" in browser.page_source)
    assert text_of(browser, "#job-status") == "done"
    heron = browser.find_element(By.CSS_SELECTOR, "#job-rows tr[data-row='heron']").text
    assert "created · v1" in heron and "owner:Atlas Sanatgaran" in heron
    assert "created · v1" in browser.find_element(By.CSS_SELECTOR, "#job-rows tr[data-row='wren']").text
    doc_screenshot(browser, "customer-import", 760)
    alert = browser.find_element(By.CSS_SELECTOR, "#job-rows tr[data-row='heron'] a[data-alert]")
    alert_id = alert.get_attribute("data-alert")
    alert.click()
    _wait_for(lambda: f"/ui/alerts/{alert_id}" in browser.current_url, 60)
    assert "Heron Compute LLC" in text_of(browser, "main") and "customer screen" in text_of(browser, "main")
