import os

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = os.environ.get("GUICHET_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the database work that the tests do
# around it is ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The assertions wait as long as the page's actions (15 s, not Playwright's 5 s): on a loaded
# 2-core machine running the suite in two processes, a key's ceremony then its redirection took longer.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests of a test process, closed after the last of them: the
    event loop that Playwright runs in the test thread must not outlive them (pyHanko's synchronous
    API, used by later tests, starts a loop of its own)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
