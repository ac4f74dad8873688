"""Browser tests: Playwright driving Debian's Chromium (it cannot download its own browser here).

A failing test leaves a full-page screenshot in test-artifacts/<test name>.png.
"""

import os
import re
from pathlib import Path

import pytest

from tests.live_server import wait_for_requests_in_flight

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls happen in its own
# thread, and the test's own setup queries are plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install Debian's chromium package (make browser).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request, live_server):
    context = browser.new_context(locale="fr-FR", accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]", "_", request.node.name)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    wait_for_requests_in_flight()  # the flush that follows must not meet a request still served


@pytest.fixture
def axe_page(browser, live_server):
    """A page for axe-core: the strict Content-Security-Policy refuses the script axe injects, bypassed for
    this context only (tests/browser/test_csp.py checks the policy on the same pages)."""
    context = browser.new_context(locale="fr-FR", bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def forget_session(page):
    """Sign the browser out by dropping its cookies, once no request is in flight: a page's background
    fetch (the « À traiter » count) answered after the cookies were cleared would set the session again."""
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")
    page.context.clear_cookies()


def sign_in(page, username: str, password: str = "motdepasse-de-test"):
    page.goto(page.base_url + "/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():  # the next page loaded, whichever it is (a refused sign-in comes back)
        page.get_by_role("button", name="Se connecter").click()
