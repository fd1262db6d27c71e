"""The young person's own page (issue 19) in a real browser on a phone (390 px): signing in
through the SAML identity provider started in the test (the browser's requests to it are answered
by the test, with a signed assertion and the form that posts it back), their plan and next
meeting, a task marked done, who has processed their data. Screenshots go to
test-artifacts/screenshots/; axe-core checks every page."""

import datetime
import html

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from saml2.metadata import entity_descriptor

from cases.devidp import TestIdentityProvider
from cases.own import sp_config
from meetings import services
from meetings.models import Participant
from tests import factories as f
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_flow import SCREENSHOTS, screenshot

HETU = "131052-308T"


@pytest.fixture
def idp(settings, tmp_path, live_server):
    settings.SITE_URL = live_server.url
    provider = TestIdentityProvider(tmp_path / "saml")
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    provider.trust_service(str(entity_descriptor(sp_config())))
    return provider


@pytest.fixture
def world(db):
    org = f.OrganisationFactory()
    worker = f.WorkerFactory(organisation=org, first_name="Anna")
    kela = f.KelaContactFactory(first_name="Kaisa")
    youth = f.YouthFactory(
        organisation=org,
        responsible_worker=worker,
        first_name="Ahmad",
        date_of_birth=datetime.date(1952, 10, 13),
        identity_code=HETU,
    )
    f.ConsentFactory(youth=youth, recorded_by=worker, scope_reminders=True)
    held = f.held_meeting(youth=youth, organiser=worker, kela=kela)
    plan = services.plan_save(
        meeting=held,
        fields={
            "summary": "Sovittiin",
            "own_words": "Haluan opiskella ja oman asunnon.",
            "review_date": timezone.localdate() + datetime.timedelta(days=40),
        },
        version=None,
        by=worker,
    )
    parts = {p.kind: p for p in held.participants.all()}
    services.action_item_add(
        plan=plan,
        owner=parts[Participant.Kind.YOUNG_PERSON],
        what="Hakee opintotukea",
        due_date=timezone.localdate() + datetime.timedelta(days=14),
        by=worker,
    )
    services.action_item_add(
        plan=plan,
        owner=parts[Participant.Kind.KELA_CONTACT],
        what="Käsittelee hakemuksen",
        due_date=None,
        by=worker,
    )
    upcoming = f.invited_meeting(youth=youth, organiser=worker, kela=kela)
    services.invitation_respond(
        participant=f.kela_participant(upcoming, kela), answer="accepted", by=kela
    )
    return youth


def _answer_at_the_provider(page: Page, idp, live_server):
    """The trip to the identity provider: the service's redirect to it is followed here (a
    browser route cannot follow a redirect to another host), and the provider's page — the
    signed answer in the form that posts it back — is shown in its place."""

    def handle(route):
        redirect = route.fetch(max_redirects=0)
        request = idp.receive(redirect.headers["location"])
        answer = idp.answer(request, HETU)
        body = (
            "<!doctype html><html lang='fi'><head><title>Tunnistus</title></head>"
            "<body onload='document.forms[0].submit()'>"
            f"<form method='post' action='{html.escape(request.acs_url)}'>"
            f"<input type='hidden' name='SAMLResponse' value='{answer}'>"
            f"<input type='hidden' name='RelayState' value='{html.escape(request.relay_state)}'>"
            "<noscript><button>Jatka</button></noscript></form></body></html>"
        )
        route.fulfill(status=200, content_type="text/html", body=body)

    page.route(f"{live_server.url}/oma/saml/login/**", handle)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_young_person_signs_in_on_a_phone_and_marks_a_task_done(
    live_server, page: Page, idp, world
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    _answer_at_the_provider(page, idp, live_server)
    page.goto(f"{live_server.url}/oma/kirjaudu/")
    assert axe_violations(page) == []
    screenshot(page, "19-1-own-sign-in")
    page.get_by_role("link", name="Kirjaudu Suomi.fi-tunnistuksella").click()
    expect(page.locator("h1")).to_have_text("Hei Ahmad!")
    main = page.locator("main")
    expect(main).to_contain_text("Sinä teet Hakee opintotukea")
    expect(main).to_contain_text("Kela tekee Käsittelee hakemuksen")
    expect(main).to_contain_text("Haluan opiskella ja oman asunnon.")
    expect(main).to_contain_text("Kaisa (Kela)")
    expect(main).not_to_contain_text("131052")
    assert axe_violations(page) == []
    screenshot(page, "19-2-own-page")
    page.get_by_role("button", name="Olen tehnyt tämän").click()
    expect(page.locator("#messages")).to_contain_text("Merkitty tehdyksi")
    expect(main).to_contain_text("✓ Tehty")
    assert axe_violations(page) == []
    screenshot(page, "19-3-own-task-done")
    page.get_by_role(
        "link", name="Katso, kuka on katsonut tai muuttanut tietojasi ja miksi"
    ).click()
    expect(page.locator("h1")).to_have_text("Kuka on käsitellyt tietojasi")
    expect(main).to_contain_text("Anna")
    assert axe_violations(page) == []
    screenshot(page, "19-4-own-processed")
    # No page of the workers' app opens with the young person's session.
    page.goto(f"{live_server.url}/young-people/")
    assert "/login/" in page.url
