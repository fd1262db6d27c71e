"""Outside owners update their items by signed link (issue 17), in a real browser: the worker
names an outside service with its address on the plan, the service opens its link on a phone
without an account and marks the item done, and the worker sees it on the plan.
Screenshots in test-artifacts/screenshots/ for review."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from meetings import services
from meetings.models import ActionItem, ItemLink
from tests import factories as f
from tests.e2e.test_flow import SCREENSHOTS, log_in, screenshot


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_outside_service_marks_its_item_done_by_link(live_server, page: Page, browser: Browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(10_000)
    worker = f.WorkerFactory(first_name="Anna")
    kela = f.KelaContactFactory(first_name="Kaisa", last_name="Kelanen")
    youth = f.YouthFactory(
        organisation=worker.organisation, responsible_worker=worker, first_name="Mira"
    )
    f.ConsentFactory(
        youth=youth,
        recorded_by=worker,
        given_at=timezone.now() - datetime.timedelta(days=20),
        scope_network=True,
    )
    meeting = f.held_meeting(youth=youth, organiser=worker, kela=kela)
    services.plan_save(meeting=meeting, fields={"summary": "Sovittiin"}, version=None, by=worker)

    # The worker names the outside service and its address on the plan page.
    log_in(page, live_server, worker)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/plan/")
    page.get_by_label("Or an outside service does it").fill("TE-palvelut")
    page.get_by_label("Outside service's e-mail address").fill("te@example.fi")
    page.locator("#id_what").fill("Kutsuu työvoimakoulutukseen")
    due = timezone.localdate() + datetime.timedelta(days=10)
    page.locator("#id_due_date").fill(f"{due:%d.%m.%Y}")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#action-items")).to_contain_text("Gets a link by e-mail: te@example.fi")
    item = ActionItem.objects.get(outside_service="TE-palvelut")
    link = ItemLink.objects.get(item=item)  # the e-mail carries a fresh token of this link

    # The service opens the link on a phone, without an account and without JavaScript.
    phone = browser.new_context(
        viewport={"width": 375, "height": 740},
        locale="fi-FI",
        timezone_id="Europe/Helsinki",
        java_script_enabled=False,
    )
    owner = phone.new_page()
    owner.goto(f"{live_server.url}{link.path()}")
    main = owner.locator("main")
    expect(main).to_contain_text("Sinun tehtäväsi")
    expect(main).to_contain_text("Mira")
    expect(main).to_contain_text("Kutsuu työvoimakoulutukseen")
    expect(main).not_to_contain_text(youth.last_name)
    screenshot(owner, "issue17-item-link-phone")
    owner.locator("button[name=language][value=sv]").click()
    expect(owner.locator("html")).to_have_attribute("lang", "sv")
    expect(main).to_contain_text("Din åtgärd")
    owner.get_by_role("button", name="Den är gjord").click()
    expect(main).to_contain_text("Åtgärden markerades som klar")
    screenshot(owner, "issue17-item-link-done-sv")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE

    # A changed token gets a clear page.
    owner.goto(f"{live_server.url}{link.path()[:-3]}x/")
    expect(main).to_contain_text("Länken är inte giltig")
    screenshot(owner, "issue17-item-link-invalid-sv")
    phone.close()

    # The worker sees it on the plan, by whom.
    page.reload()
    expect(page.locator("#action-items")).to_contain_text("TE-palvelut (by link)")
    expect(page.locator("#action-items")).to_contain_text("Done")
    screenshot(page, "issue17-item-link-plan")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator("main")).to_contain_text(re.compile("updated .Kutsuu"))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_link_pages_meet_wcag_21_aa_at_phone_width(live_server, browser: Browser):
    from tests.e2e.test_accessibility import PHONE, axe_violations

    worker = f.WorkerFactory()
    kela = f.KelaContactFactory()
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    f.ConsentFactory(youth=youth, recorded_by=worker, scope_network=True)
    meeting = f.held_meeting(youth=youth, organiser=worker, kela=kela)
    plan = services.plan_save(
        meeting=meeting, fields={"summary": "Sovittiin"}, version=None, by=worker
    )
    item = services.action_item_add(
        plan=plan,
        owner=None,
        outside_service="TE-palvelut",
        outside_service_email="te@example.fi",
        what="Kutsuu työvoimakoulutukseen",
        due_date=None,
        by=worker,
    )
    path = ItemLink.objects.get(item=item).path()
    context = browser.new_context(bypass_csp=True, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    failures = []
    for language in ("fi", "sv"):
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}{path}")
        failures += [f"{language} page: {v}" for v in axe_violations(page)]
        page.get_by_role("button", name=re.compile("Lähetä|Skicka")).click()  # errors shown
        expect(page.locator("#form-errors")).to_be_visible()
        failures += [f"{language} errors: {v}" for v in axe_violations(page)]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.goto(f"{live_server.url}{path[:-3]}x/")
        failures += [f"{language} invalid: {v}" for v in axe_violations(page)]
    screenshot(page, "issue17-item-link-invalid-phone")
    context.close()
    assert not failures, "\n".join(failures)
