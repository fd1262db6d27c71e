"""Leaving a page with unsaved input asks first: typed text is not lost to a language switch or
a stray click on a link (static/js/app.js)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from meetings import services
from meetings.models import ActionItem
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
    expect(page.locator("#form-errors")).to_be_focused()  # read first
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


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_plan_page_keeps_focus_and_asks_only_about_entered_data(live_server, page: Page):
    page.set_default_timeout(10_000)
    worker, kela = f.WorkerFactory(), f.KelaContactFactory()
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    f.ConsentFactory(youth=youth, recorded_by=worker)
    meeting = f.held_meeting(youth=youth, organiser=worker, kela=kela)
    plan = services.plan_save(meeting=meeting, fields={"summary": "x"}, version=None, by=worker)
    item = ActionItem.objects.create(
        plan=plan, owner=meeting.participants.get(kind="young_person"), what="Hae opintotukea"
    )
    dialogs = Dialogs(page)
    log_in(page, live_server, worker)
    plan_url = f"{live_server.url}{reverse('meetings:plan', args=[meeting.pk])}"
    page.goto(plan_url)
    page.wait_for_function("() => window.htmx !== undefined")

    # The options of a PDF are not entered data: leaving asks nothing.
    page.locator("#export-language").select_option("sv")
    page.locator("#export-hetu").check()
    page.locator("header").get_by_role("link", name="Joint meetings").click()
    expect(page.locator("h1")).to_have_text("Joint meetings")
    assert dialogs.asked == []

    # Marking an item done from the keyboard: focus stays on the item's button.
    page.goto(plan_url)
    page.wait_for_function("() => window.htmx !== undefined")
    page.get_by_role("button", name="Mark done").focus()
    page.keyboard.press("Enter")
    again = page.get_by_role("button", name="Open again")
    expect(again).to_be_focused()
    toggle = reverse("meetings:item_toggle", args=[meeting.pk, item.pk])
    assert again.evaluate("el => el.form.getAttribute('action')") == toggle

    # An item refused by the server: focus on the field to correct, and leaving asks.
    page.locator("#id_owner").select_option(index=1)
    page.locator("#action-items").get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#id_what")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_what")).to_be_focused()
    page.locator("header").get_by_role("link", name="Joint meetings").click()
    assert dialogs.asked == ["beforeunload"]
    expect(page.locator("#id_what")).to_be_visible()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_filtering_the_kela_directory_keeps_the_booking_unsaved(live_server, page: Page):
    page.set_default_timeout(10_000)
    worker = f.WorkerFactory()
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    dialogs = Dialogs(page)
    log_in(page, live_server, worker)
    page.goto(f"{live_server.url}{reverse('meetings:create', args=[youth.pk])}")
    page.get_by_label("Goal of the meeting").fill("Asumistuki kuntoon")
    page.locator("button[name=action][value=search]").click()
    expect(page.get_by_label("Goal of the meeting")).to_have_value("Asumistuki kuntoon")
    assert dialogs.asked == []
    page.locator("header").get_by_role("link", name="Young people").click()
    assert dialogs.asked == ["beforeunload"]
    expect(page.get_by_label("Goal of the meeting")).to_have_value("Asumistuki kuntoon")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_keyboard_focus_is_plain_to_see_on_the_navigation_bar(live_server, page: Page):
    worker = f.WorkerFactory()
    log_in(page, live_server, worker)
    for element in (
        page.locator("header").get_by_role("link", name="Young people"),
        page.locator("header").get_by_role("button", name="Log out"),
    ):
        element.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focus from the keyboard: :focus-visible
        page.wait_for_timeout(400)  # Bootstrap's box-shadow transition
        style = element.evaluate(
            "el => { const s = getComputedStyle(el);"
            " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
        )
        assert style[0] == "solid" and style[1] == "3px", style
        assert "rgb(255, 212, 59)" in style[2], style


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_free_times_loaded_beside_leave_the_keyboard_focus_where_it_is(live_server, page: Page):
    """Choosing the Kela contact loads their free times (htmx) while the user tabs on: when they
    arrive, the focus stays on the control the user has reached, not on the first button of
    the form that shares its name (the directory's Filter, whose Enter would reload the form)."""
    page.set_default_timeout(10_000)
    worker = f.WorkerFactory()
    f.KelaContactFactory(last_name="Kelanen")
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    f.ConsentFactory(youth=youth, recorded_by=worker)
    log_in(page, live_server, worker)
    held = []  # the free times' answer, held until the user has tabbed on
    page.route(f"**{reverse('meetings:free_times')}*", lambda route: held.append(route))
    page.goto(f"{live_server.url}{reverse('meetings:create', args=[youth.pk])}")
    page.wait_for_function("() => window.htmx !== undefined")

    page.locator("#id_kela_contact").focus()
    page.keyboard.press("ArrowDown")  # the contact after "choose": htmx asks for their times
    invite = page.locator("button[name=action][value=invite]")
    invite.focus()
    for _ in range(250):  # up to 5 s for htmx to ask
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "choosing the contact asked for no free times"
    held[0].continue_()

    expect(page.locator("#free-times fieldset")).to_be_visible()
    expect(invite).to_be_focused()
