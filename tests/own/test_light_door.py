"""The light door of the young person's own page (issue 19): the worker sends a single-use link
by e-mail or text message, the young person opens it in one browser, types the code sent to
the same address and sees only the next meeting and the feedback survey. Three wrong codes,
expiry, a second browser, turning it off and a withdrawn consent end it."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import OwnLightLink
from kelayhteistyo import sms
from kelayhteistyo.models import AccessLog
from meetings import services
from meetings.models import Participant
from tests import factories as f

LINK = re.compile(r"https?://\S+/oma/linkki/(\S+?)/")
CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "kelayhteistyo.sms.MemoryBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def light_youth(youth, consent):
    """Alice's young person with an e-mail address and a phone, and a consent that covers
    messages to them."""
    type(youth).objects.filter(pk=youth.pk).update(
        email="nuori@example.fi", phone="+358401234567", last_name="Sukunimi-Salainen"
    )
    type(consent).objects.filter(pk=consent.pk).update(scope_reminders=True)
    youth.refresh_from_db()
    return youth


@pytest.fixture
def next_meeting(light_youth, alice, kela):
    """A held meeting with a plan (worker's summary, an item), and the next meeting."""
    held = f.held_meeting(youth=light_youth, organiser=alice, kela=kela)
    plan = services.plan_save(
        meeting=held,
        fields={"summary": "TYÖNTEKIJÄN YHTEENVETO", "own_words": "OMAT SANAT"},
        version=None,
        by=alice,
    )
    services.action_item_add(
        plan=plan,
        owner=held.participants.get(kind=Participant.Kind.YOUNG_PERSON),
        what="SALAINEN TEHTÄVÄ",
        due_date=None,
        by=alice,
    )
    coming = f.invited_meeting(youth=light_youth, organiser=alice, kela=kela)
    type(coming).objects.filter(pk=coming.pk).update(place="Nuorisotalo, Kauppakatu 5")
    return coming


def send(client, alice, youth, channel="email"):
    client.force_login(alice)
    return client.post(reverse("cases:light_link_send", args=[youth.pk]), {"channel": channel})


def last_token(outbox=None) -> str:
    body = outbox[-1].body if outbox else mail.outbox[-1].body
    return LINK.search(body).group(1)


def last_code(outbox=None) -> str:
    body = outbox[-1].body if outbox else mail.outbox[-1].body
    return CODE.search(body).group(1)


def open_link(browser, token):
    """The young person presses "Send me the code" on the link's page."""
    page = browser.get(reverse("own:light_link", args=[token]))
    assert page.status_code == 200, page.content
    assert "Lähetä minulle koodi" in page.content.decode()
    return browser.post(reverse("own:light_link", args=[token]))


def enter(browser, token, code):
    return browser.post(reverse("own:light_code", args=[token]), {"code": code})


def through_the_door(client, alice, youth, browser, channel="email", outbox=None):
    assert send(client, alice, youth, channel).status_code == 302
    token = last_token(outbox)
    assert open_link(browser, token).status_code == 302
    response = enter(browser, token, last_code(outbox))
    assert response.status_code == 302
    assert response["Location"] == reverse("own:light_page")
    return token


def test_it_opens_the_next_meeting_and_nothing_more(client, alice, light_youth, next_meeting):
    browser = Client()
    through_the_door(client, alice, light_youth, browser)
    page = browser.get(reverse("own:light_page"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nuorisotalo, Kauppakatu 5" in text
    assert reverse("own:light_ics", args=[next_meeting.pk]) in text
    # Nothing sensitive: no plan, no own words, no tasks, no names, not even the first name.
    for secret in (
        "TYÖNTEKIJÄN YHTEENVETO",
        "OMAT SANAT",
        "SALAINEN TEHTÄVÄ",
        light_youth.last_name,
        light_youth.first_name,
        alice.last_name,
        "nuori@example.fi",
    ):
        assert secret not in text
    # The link was sent by e-mail, the code by e-mail to the same address.
    assert [m.to for m in mail.outbox] == [["nuori@example.fi"], ["nuori@example.fi"]]
    # Logged: the worker's send, the young person's page view with the basis "own data".
    assert AccessLog.objects.filter(
        user=alice, youth=light_youth, object_type="ownlightlink", action="create"
    ).exists()
    view = AccessLog.objects.get(youth=light_youth, object_type="own_light_page")
    assert (view.basis, view.user_id, view.action) == (AccessLog.Basis.OWN_DATA, None, "read")


def test_the_calendar_file_has_the_time_and_place_only(client, alice, light_youth, next_meeting):
    browser = Client()
    through_the_door(client, alice, light_youth, browser)
    response = browser.get(reverse("own:light_ics", args=[next_meeting.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nuorisotalo" in body and "DTSTART" in body
    for name in (light_youth.first_name, alice.last_name, alice.email, "ATTENDEE", "ORGANIZER"):
        assert name not in body
    row = AccessLog.objects.get(youth=light_youth, object_type="own_light_ics")
    assert (row.basis, row.action) == (AccessLog.Basis.OWN_DATA, "export")


def test_it_goes_by_text_message_and_the_code_too(client, alice, light_youth, outbox):
    browser = Client()
    through_the_door(client, alice, light_youth, browser, channel="sms", outbox=outbox)
    assert [m.to for m in outbox] == ["+358401234567", "+358401234567"]
    assert mail.outbox == []
    assert browser.get(reverse("own:light_page")).status_code == 200


def test_the_light_session_does_not_open_the_strong_own_page(client, alice, light_youth):
    browser = Client()
    through_the_door(client, alice, light_youth, browser)
    for name in ("own:page", "own:processed"):
        response = browser.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == reverse("own:login")


def test_no_link_without_consent_to_messages(client, alice, youth, consent):
    type(youth).objects.filter(pk=youth.pk).update(email="nuori@example.fi")
    response = send(client, alice, youth)
    assert response.status_code == 302
    assert mail.outbox == []
    assert not OwnLightLink.objects.exists()
    page = client.get(reverse("cases:detail", args=[youth.pk])).content.decode()
    assert "Mikään voimassa oleva suostumus ei kata viestejä nuorelle" in page


def test_no_link_without_an_address(client, alice, light_youth):
    type(light_youth).objects.filter(pk=light_youth.pk).update(phone="")
    light_youth.refresh_from_db()
    assert light_youth.light_link_refusal("sms")
    assert not light_youth.light_link_refusal("email")
    send(client, alice, light_youth, "sms")
    assert not OwnLightLink.objects.exists()


def test_three_wrong_codes_and_the_link_is_dead(client, alice, light_youth):
    send(client, alice, light_youth)
    token = last_token()
    browser = Client()
    open_link(browser, token)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    first = enter(browser, token, wrong)
    assert first.status_code == 400
    assert "2" in first.content.decode()
    enter(browser, token, wrong)
    third = enter(browser, token, wrong)
    assert third.status_code == 410
    # The right code no longer helps: a new link is needed.
    again = enter(browser, token, code)
    assert again.status_code == 410
    assert reverse("own:light_new") in again.content.decode()
    assert browser.get(reverse("own:light_page")).status_code == 403


def test_the_link_expires(client, alice, light_youth, settings):
    send(client, alice, light_youth)
    token = last_token()
    later = timezone.now() + datetime.timedelta(hours=settings.OWN_LIGHT_LINK_HOURS, minutes=1)
    with time_machine.travel(later):
        response = Client().get(reverse("own:light_link", args=[token]))
    assert response.status_code == 410
    assert "Tämä linkki on vanhentunut." in response.content.decode()


def test_the_code_expires(client, alice, light_youth, settings):
    send(client, alice, light_youth)
    token = last_token()
    browser = Client()
    open_link(browser, token)
    code = last_code()
    later = timezone.now() + datetime.timedelta(minutes=settings.OWN_LIGHT_CODE_MINUTES + 1)
    with time_machine.travel(later):
        response = enter(browser, token, code)
    assert response.status_code == 400
    assert browser.get(reverse("own:light_page")).status_code == 403
    # A new code, in the same browser, works.
    browser.post(reverse("own:light_link", args=[token]))
    assert enter(browser, token, last_code()).status_code == 302


def test_a_second_browser_is_told_the_link_was_used(client, alice, light_youth):
    send(client, alice, light_youth)
    token = last_token()
    open_link(Client(), token)
    other = Client()
    response = other.get(reverse("own:light_link", args=[token]))
    assert response.status_code == 410
    text = response.content.decode()
    assert "Tämä linkki on jo käytetty." in text
    assert other.post(reverse("own:light_link", args=[token])).status_code == 410
    assert len(mail.outbox) == 2  # the link and one code, no code to the second browser


def test_a_used_link_does_not_open_again_elsewhere(client, alice, light_youth):
    browser = Client()
    token = through_the_door(client, alice, light_youth, browser)
    assert Client().get(reverse("own:light_link", args=[token])).status_code == 410
    # In the same browser it leads back to the page.
    assert browser.get(reverse("own:light_link", args=[token])).status_code == 302


def test_a_changed_link_is_refused(client, alice, light_youth):
    send(client, alice, light_youth)
    token = last_token()
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = Client().get(reverse("own:light_link", args=[tampered]))
    assert response.status_code == 400


def test_turning_the_door_off_ends_the_open_page(client, alice, light_youth):
    browser = Client()
    through_the_door(client, alice, light_youth, browser)
    assert browser.get(reverse("own:light_page")).status_code == 200
    response = client.post(reverse("cases:light_door_close", args=[light_youth.pk]))
    assert response.status_code == 302
    ended = browser.get(reverse("own:light_page"))
    assert ended.status_code == 403
    text = ended.content.decode()
    assert "Pääsysi on päättynyt" in text
    assert not light_youth.light_door_on


def test_a_withdrawn_consent_ends_the_open_page(client, alice, light_youth, consent):
    browser = Client()
    through_the_door(client, alice, light_youth, browser)
    case_services.consent_withdraw(consent=consent, by=alice)
    assert browser.get(reverse("own:light_page")).status_code == 403


def test_an_expired_consent_ends_the_open_page(client, alice, light_youth, consent):
    browser = Client()
    through_the_door(client, alice, light_youth, browser)
    type(consent).objects.filter(pk=consent.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert browser.get(reverse("own:light_page")).status_code == 403


def test_without_a_link_the_light_page_says_a_link_is_needed(client):
    response = client.get(reverse("own:light_page"))
    assert response.status_code == 403
    assert "Tarvitset linkin" in response.content.decode()


@pytest.fixture
def answer(django_capture_on_commit_callbacks):
    """ "Send me a new link" with an address; the answer page's main part."""

    def ask(address):
        browser = Client()
        with django_capture_on_commit_callbacks(execute=True):
            response = browser.post(reverse("own:light_new"), {"address": address})
        case_services.light_sends_wait()
        text = response.content.decode()
        return response.status_code, text[text.index("<main") :]

    return ask


def test_a_new_link_answers_the_same_for_an_unknown_address(client, alice, light_youth, answer):
    send(client, alice, light_youth)  # the light door is on
    mail.outbox.clear()
    known = answer("Nuori@Example.fi")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nuori@example.fi"]
    unknown = answer("joku.muu@example.fi")
    assert len(mail.outbox) == 1
    assert known[0] == unknown[0] == 200
    assert known[1] == unknown[1]
    # The new link works like the worker's.
    token = last_token()
    browser = Client()
    open_link(browser, token)
    assert enter(browser, token, last_code()).status_code == 302


def test_a_new_link_only_while_the_door_is_on_and_at_most_three_an_hour(
    client, alice, light_youth, outbox, answer
):
    answer("040 123 4567")
    assert outbox == []  # never sent by the worker: the light door is off
    send(client, alice, light_youth, "sms")
    outbox.clear()
    for _ in range(4):
        answer("040 123 4567")
    assert len(outbox) == 3
    assert all(m.to == "+358401234567" for m in outbox)
    client.post(reverse("cases:light_door_close", args=[light_youth.pk]))
    outbox.clear()
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        answer("040 123 4567")
    assert outbox == []


def test_a_new_link_form_refuses_what_is_not_an_address(client):
    response = client.post(reverse("own:light_new"), {"address": "abc"})
    assert response.status_code == 400
    assert "Kirjoita sähköpostiosoite tai puhelinnumero." in response.content.decode()


def test_the_record_page_shows_the_door(client, alice, light_youth):
    client.force_login(alice)
    page = client.get(reverse("cases:detail", args=[light_youth.pk])).content.decode()
    assert reverse("cases:light_link_send", args=[light_youth.pk]) in page
    assert reverse("cases:light_door_close", args=[light_youth.pk]) not in page
    send(client, alice, light_youth)
    page = client.get(reverse("cases:detail", args=[light_youth.pk])).content.decode()
    assert reverse("cases:light_door_close", args=[light_youth.pk]) in page


def test_another_organisations_worker_cannot_send(client, bob, light_youth):
    client.force_login(bob)
    response = client.post(
        reverse("cases:light_link_send", args=[light_youth.pk]), {"channel": "email"}
    )
    assert response.status_code == 404
    assert mail.outbox == []


def test_an_opened_link_ends_with_its_time_once_its_code_has_expired(client, alice, light_youth):
    send(client, alice, light_youth)
    token = last_token()
    browser = Client()
    open_link(browser, token)
    link = OwnLightLink.objects.get()
    later = link.expires_at + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        assert browser.post(reverse("own:light_link", args=[token])).status_code == 410
    assert len(mail.outbox) == 2  # no new code after the link's time


def test_the_address_is_forgotten_once_the_link_cannot_be_used(client, alice, light_youth):
    from overview.tasks import purge_stale_data

    send(client, alice, light_youth)
    assert purge_stale_data()["light_links"] == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6)):
        assert purge_stale_data()["light_links"] == 1
    link = OwnLightLink.objects.get()
    assert (link.address, link.sent_by) == ("", alice)
    assert light_youth.light_door_on  # the worker turned it on; it stays on


def test_the_light_page_query_count(
    client, alice, light_youth, next_meeting, django_assert_num_queries
):
    browser = Client()
    through_the_door(client, alice, light_youth, browser)
    browser.get(reverse("own:light_page"))
    # The session, the link with the young person, the consent, the next meeting, the open
    # survey links, the access-log row, the session saved (in a savepoint: two more).
    with django_assert_num_queries(9):
        assert browser.get(reverse("own:light_page")).status_code == 200


# The young person's language (README, "Languages of the young people")


def arabic_indic(digits: str) -> str:
    return "".join(chr(0x660 + int(d)) for d in digits)


def test_the_light_door_in_arabic(client, alice, light_youth, next_meeting):
    """The link, the code, the pages and the calendar file in the record's language: right to
    left, with the translated-text notice; the code may be typed with Arabic-Indic digits."""
    from kelayhteistyo import youth as youth_rules

    from .test_languages import visible

    type(light_youth).objects.filter(pk=light_youth.pk).update(language=f.language("ar"))
    assert send(client, alice, light_youth).status_code == 302
    link_mail = mail.outbox[-1]
    assert "أرسل لك موظف الرعاية اللاحقة رابطًا لصفحتك الخاصة" in link_mail.body
    assert link_mail.subject.startswith("صفحتك الخاصة")
    token = last_token()

    browser = Client()  # the young person's phone: no language chosen yet
    page = browser.get(reverse("own:light_link", args=[token]))
    html = page.content.decode()
    assert '<html lang="ar" dir="rtl">' in html and "bootstrap.rtl.min.css" in html
    assert "أرسِل لي الرمز" in visible(html)
    assert '<p class="mb-0" lang="ar" dir="rtl">نص مترجم' in html  # the notice, and in Finnish
    assert '<p class="mb-0" lang="fi" dir="ltr">Käännetty teksti' in html
    assert page.cookies[youth_rules.YOUTH_COOKIE].value == "ar"  # for the pages after it

    browser.post(reverse("own:light_link", args=[token]))
    assert "رمزك لصفحتك الخاصة" in mail.outbox[-1].body
    code = last_code()
    wrong = enter(browser, token, "000000" if code != "000000" else "111111")
    assert "الرمز غير صحيح. بقيت لك محاولتان." in visible(wrong.content.decode())
    response = enter(browser, token, arabic_indic(code))
    assert response["Location"] == reverse("own:light_page")

    html = browser.get(reverse("own:light_page")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    text = visible(html)
    assert "موعدك القادم" in text  # your next meeting
    assert "لم تؤكّد كيلا (Kela) الموعد بعد." in text  # invited: not confirmed yet
    assert "نص مترجم" in text and "Käännetty teksti" in text
    ics = browser.get(reverse("own:light_ics", args=[next_meeting.pk])).content.decode()
    assert "SUMMARY:لقاء مع الرعاية اللاحقة وكيلا" in ics


def test_a_language_chosen_on_the_phone_is_kept(client, alice, light_youth):
    from kelayhteistyo import youth as youth_rules

    type(light_youth).objects.filter(pk=light_youth.pk).update(language=f.language("ar"))
    send(client, alice, light_youth)
    browser = Client()
    browser.cookies[youth_rules.YOUTH_COOKIE] = "uk"
    page = browser.get(reverse("own:light_link", args=[last_token()]))
    assert '<html lang="uk">' in page.content.decode()
    assert "Надіслати мені код" in page.content.decode()
    assert youth_rules.YOUTH_COOKIE not in page.cookies
    # The messages stay in the record's language (as every message to the young person).
    browser.post(reverse("own:light_link", args=[last_token()]))
    assert "رمزك لصفحتك الخاصة" in mail.outbox[-1].body


def test_the_code_by_text_message_in_somali(client, alice, light_youth, outbox, settings):
    type(light_youth).objects.filter(pk=light_youth.pk).update(language=f.language("so"))
    assert send(client, alice, light_youth, "sms").status_code == 302
    token = last_token(outbox)
    hours = settings.OWN_LIGHT_LINK_HOURS
    assert outbox[-1].body.startswith(f"Boggaaga gaarka ah (hal mar, {hours} saac): http")
    browser = Client()
    page = browser.get(reverse("own:light_link", args=[token])).content.decode()
    assert '<html lang="so">' in page
    assert "Si aad boggaaga u furto, koodh ayaan kuugu soo diraynaa taleefankaaga" in page
    browser.post(reverse("own:light_link", args=[token]))
    code = last_code(outbox)
    minutes = settings.OWN_LIGHT_CODE_MINUTES
    assert outbox[-1].body == (
        f"Koodhkaaga: {code}. Wuxuu shaqeeyaa {minutes} daqiiqo. Cidna ha siin."
    )
    assert outbox[-1].to == "+358401234567"
    empty = browser.post(reverse("own:light_code", args=[token]), {"code": ""})
    assert "Qor koodhka aad heshay." in empty.content.decode()  # not Django's English


def test_the_light_door_texts_are_youth_texts():
    from kelayhteistyo import youth as youth_rules

    found = {msgid for _ctx, msgid in youth_rules.youth_msgids()}
    for text in (
        "Send me the code",  # a page
        "Your code: %(code)s. It works for %(minutes)s min. Do not give it to anyone.",  # SMS
        "The code is not right. You have %(n)d try left.",  # overview/light.py
        "No more codes can be sent for this link. Ask for a new link.",  # cases/light.py
        "Write the code you got.",  # the form
        "Meeting with aftercare and Kela",  # the calendar file
    ):
        assert text in found, text
