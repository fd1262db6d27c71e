"""Leaving a page with unsaved input asks first: typed text is not lost to a language switch or
a stray click on a link (static/js/app.js)."""

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.e2e.test_flow import log_in


class Dialogs:
    """Answers the browser's "Leave the page?" questions as told, and records them."""

    def __init__(self, page: Page):
        self.asked = []
        self.leave = False
        page.on("dialog", self.answer)

    def answer(self, dialog):
        self.asked.append(dialog.type)
        dialog.accept() if self.leave else dialog.dismiss()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_leaving_a_form_with_unsaved_input_asks_first(live_server, page: Page):
    page.set_default_timeout(10_000)
    worker = f.WorkerFactory()
    dialogs = Dialogs(page)
    log_in(page, live_server, worker)
    page.get_by_role("link", name="Add a young person").click()
    expect(page.locator("h1")).to_have_text("Add a young person")

    # Nothing typed yet: the language changes at once.
    page.locator("button[name=language][value=fi]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    page.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert dialogs.asked == []

    # Something typed: the switch asks, and staying keeps the text.
    page.get_by_label("First name").click()
    page.get_by_label("First name").press_sequentially("Amina")
    page.locator("button[name=language][value=sv]").click()
    expect(page.get_by_label("First name")).to_have_value("Amina")
    assert dialogs.asked == ["beforeunload"]
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Sending the form is not leaving it; a form that comes back with errors is still unsaved.
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert dialogs.asked == ["beforeunload"]
    expect(page.get_by_label("First name")).to_have_value("Amina")
    page.get_by_role("link", name="Joint meetings").click()
    assert dialogs.asked == ["beforeunload", "beforeunload"]
    expect(page.get_by_label("First name")).to_have_value("Amina")

    # Choosing to leave leaves.
    dialogs.leave = True
    page.locator("button[name=language][value=sv]").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert dialogs.asked == ["beforeunload"] * 3
