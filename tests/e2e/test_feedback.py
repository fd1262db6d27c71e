"""A young person answers the feedback survey on a phone, in the language they pick."""

import pytest
from playwright.sync_api import expect

from feedback import services as feedback
from feedback.models import Answer, Response
from tests import factories as f

from .test_accessibility import ARTIFACTS, axe_violations


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_young_person_answers_on_a_phone(live_server, browser):
    worker = f.WorkerFactory()
    kela = f.KelaContactFactory()
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    f.ConsentFactory(youth=youth, recorded_by=worker)
    meeting = f.held_meeting(youth=youth, organiser=worker, kela=kela)
    link = meeting.survey_links.get(participant__kind="young_person")

    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="fi-FI"
    )
    page = phone.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + feedback.answer_path(link))
    expect(page.locator("h1")).to_have_text("Miten tapaaminen meni?")

    def group(question):
        return page.get_by_role("group", name=question)

    # The first answer in Finnish, then the switch to Swedish: the answer stays.
    group("Sain tarvitsemani tiedon etuuksista.").get_by_label("4 – Pitää melkein paikkansa").tap()
    page.get_by_role("button", name="Svenska").tap()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("h1")).to_have_text("Hur gick mötet?")
    expect(
        group("Jag fick den information jag behövde om förmåner.").get_by_label(
            "4 – Stämmer ganska bra"
        )
    ).to_be_checked()
    group("Vi kom tydligt överens om vad som görs härnäst.").get_by_label("5 – Stämmer helt").tap()
    group("Jag skulle delta i ett liknande möte igen.").get_by_label("Ja").tap()
    helped = group("Vad hjälpte mötet med? Välj alla som passar.")
    helped.get_by_label("Studiestöd").tap()
    helped.get_by_label("Bostadsbidrag").tap()
    page.get_by_label("Vill du säga något mer?").fill("Bra att FPA var med.")
    # "I was listened to" is left unanswered: the page says so and keeps the rest.
    page.get_by_role("button", name="Skicka svaren").tap()
    listened = group("Jag blev lyssnad på.")
    expect(listened).to_contain_text("Svara på den här frågan.")
    expect(page.get_by_label("Vill du säga något mer?")).to_have_value("Bra att FPA var med.")
    expect(helped.get_by_label("Bostadsbidrag")).to_be_checked()
    assert not axe_violations(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-survey-errors-sv.png"), full_page=True)
    # Against the screen: a phone browser zooms out to fit a wide page, and innerWidth grows.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    listened.get_by_label("4 – Stämmer ganska bra").tap()
    page.get_by_role("button", name="Skicka svaren").tap()
    expect(page.locator("h1")).to_have_text("Tack!")
    assert not axe_violations(page)

    response = Response.objects.get()
    assert (response.group, response.language) == ("young_person", "sv")
    answers = Answer.objects.filter(response=response)
    assert sorted(answers.exclude(number=None).values_list("number", flat=True)) == [1, 4, 4, 5]
    assert set(answers.exclude(choice=None).values_list("choice__text_sv", flat=True)) == {
        "Studiestöd",
        "Bostadsbidrag",
    }
    page.reload()
    expect(page.locator("h1")).to_have_text("Tack!")
    assert Response.objects.count() == 1
