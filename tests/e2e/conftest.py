"""Playwright drives Debian's Chromium; it never downloads a browser of its own."""

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Finnish desktop browser, 1280 px wide (the width of the screenshots).
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 900},
        "locale": "fi-FI",
        "timezone_id": "Europe/Helsinki",
    }
