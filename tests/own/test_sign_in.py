"""Signing in with strong identification against the identity provider started in the test:
the good path and every refusal, each with a page that says what happened."""

import base64
import datetime

import time_machine
from django.urls import reverse
from django.utils import timezone
from saml2.metadata import entity_descriptor

from cases.devidp import TestIdentityProvider
from cases.own import OWN_YOUTH, assertion_use, sp_config
from kelayhteistyo.models import User

from .conftest import HETU, finish, sign_in, start


def _refused(response, text):
    assert response.status_code == 403
    page = response.content.decode()
    assert "Kirjautuminen ei onnistunut" in page  # "Signing in did not work"
    assert text in page
    return page


def _not_signed_in(client):
    assert OWN_YOUTH not in client.session
    response = client.get(reverse("own:page"))
    assert response.status_code == 302
    assert response["Location"] == reverse("own:login")


def _other_hetu(birth="010190", number="123"):
    digits = "0123456789ABCDEFHJKLMNPRSTUVWXY"
    return f"{birth}-{number}{digits[int(birth + number) % 31]}"


def test_a_good_login_opens_the_own_page(client, idp, own_youth):
    users_before = User.objects.count()
    response = sign_in(client, idp)
    assert response.status_code == 302
    assert response["Location"] == reverse("own:page")
    page = client.get(reverse("own:page"))
    assert page.status_code == 200
    assert f"Hei {own_youth.first_name}!" in page.content.decode()
    assert client.session[OWN_YOUTH] == [str(own_youth.pk)]
    # No Django user is made, none is logged in: the workers' pages stay closed.
    assert User.objects.count() == users_before
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_signing_in_ends_a_workers_login_on_the_same_browser(client, idp, own_youth, alice):
    client.force_login(alice)
    sign_in(client, idp)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("cases:list")).status_code == 302


def test_a_wrong_signature_is_refused(client, idp, own_youth):
    request = start(client, idp)
    xml = base64.b64decode(idp.answer(request, _other_hetu())).decode()
    # Someone changes the identity code in a signed answer: the signature no longer matches.
    tampered = xml.replace(_other_hetu(), HETU)
    assert tampered != xml
    response = finish(client, request, base64.b64encode(tampered.encode()).decode())
    _refused(response, "Tunnistuspalvelun vastausta ei voitu varmistaa")
    _not_signed_in(client)


def test_an_answer_signed_with_another_key_is_refused(client, idp, own_youth, tmp_path):
    rogue = TestIdentityProvider(tmp_path / "rogue")  # the same name, its own key
    rogue.trust_service(str(entity_descriptor(sp_config())))
    request = start(client, idp)
    response = finish(client, request, rogue.answer(request, HETU))
    _refused(response, "Tunnistuspalvelun vastausta ei voitu varmistaa")
    _not_signed_in(client)


def test_an_answer_meant_for_another_service_is_refused(client, idp, own_youth, settings):
    ours = settings.SAML_ENTITY_ID
    settings.SAML_ENTITY_ID = "https://toinen.palvelu.example/sp"
    other = str(entity_descriptor(sp_config()))
    settings.SAML_ENTITY_ID = ours
    idp.trust_service(str(entity_descriptor(sp_config())), other)
    request = start(client, idp)
    answer = idp.answer(request, HETU, audience="https://toinen.palvelu.example/sp")
    response = finish(client, request, answer)
    _refused(response, "Tunnistautuminen ei onnistunut")
    _not_signed_in(client)


def test_an_expired_assertion_is_refused(client, idp, own_youth):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        request = start(client, idp)
        answer = idp.answer(request, HETU)
        clock.shift(datetime.timedelta(minutes=10))  # the assertion lives 5 minutes
        response = finish(client, request, answer)
    _refused(response, "kesti liian kauan")
    _not_signed_in(client)


def test_an_identity_code_that_matches_nobody_is_refused(client, idp, own_youth):
    response = sign_in(client, idp, code=_other_hetu())
    page = _refused(response, "Emme löytäneet tietojasi")
    assert "työntekijäsi" in page  # the worker can check the code on the record
    _not_signed_in(client)


def test_a_young_person_without_an_identity_code_cannot_sign_in(client, idp, youth):
    assert youth.identity_code == ""
    response = sign_in(client, idp)
    _refused(response, "Emme löytäneet tietojasi")


def test_a_replayed_assertion_is_refused(client, idp, own_youth):
    request = start(client, idp)
    answer = idp.answer(request, HETU)
    assert finish(client, request, answer).status_code == 302
    client.post(reverse("own:logout"))
    # The same answer again, in the same browser…
    _refused(finish(client, request, answer), "Tunnistautuminen ei onnistunut")
    _not_signed_in(client)


def test_a_replayed_assertion_from_another_browser_is_refused(client, idp, own_youth):
    from django.test import Client

    request = start(client, idp)
    answer = idp.answer(request, HETU)
    assert finish(client, request, answer).status_code == 302
    other = Client()
    start(other, idp)  # a sign-in of its own under way, then the copied answer
    _refused(finish(other, request, answer), "Tunnistautuminen ei onnistunut")
    _not_signed_in(other)


def test_an_assertion_is_used_once(db):
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert assertion_use("id-123", later) is True
    assert assertion_use("id-123", later) is False
    assert assertion_use("id-456", later) is True


def test_the_sign_in_page_without_saml_configured(client, settings):
    settings.SAML_IDP_METADATA = ""
    page = client.get(reverse("own:login"))
    assert page.status_code == 200
    assert "Sign in with Suomi.fi" not in page.content.decode()
    assert client.get(reverse("own:saml_login")).status_code == 503


def test_the_sign_in_page_offers_suomi_fi(client, idp):
    page = client.get(reverse("own:login")).content.decode()
    assert reverse("own:saml_login") in page


def test_the_metadata_names_the_service(client, idp, settings):
    response = client.get(reverse("own:saml_metadata"))
    assert response.status_code == 200
    assert settings.SAML_ENTITY_ID in response.content.decode()
    assert "/oma/saml/acs/" in response.content.decode()


def test_the_session_ends_after_its_maximum_length(client, idp, own_youth, settings):
    sign_in(client, idp)
    with time_machine.travel(
        timezone.now() + datetime.timedelta(seconds=settings.SESSION_MAX_AGE + 60)
    ):
        _not_signed_in(client)


def test_the_worker_sees_on_the_record_whether_the_young_person_can_sign_in(
    client_as, alice, youth
):
    record = client_as(alice).get(reverse("cases:detail", args=[youth.pk])).content.decode()
    assert "Nuori ei voi kirjautua omalle sivulleen" in record
    assert "eikä näissä tiedoissa ole henkilötunnusta" in record
    type(youth).objects.filter(pk=youth.pk).update(identity_code=HETU)
    record = client_as(alice).get(reverse("cases:detail", args=[youth.pk])).content.decode()
    assert "Nuori voi kirjautua omalle sivulleen vahvalla tunnistautumisella" in record


def test_the_page_opens_in_the_language_of_the_record(client, idp, own_youth):
    from tests import factories as f

    type(own_youth).objects.filter(pk=own_youth.pk).update(language=f.language("sv"))
    response = sign_in(client, idp)
    assert response.cookies["youth_language"].value == "sv"
    page = client.get(reverse("own:page")).content.decode()
    assert f"Hej {own_youth.first_name}!" in page


def test_no_session_keeps_the_identity_code(client, idp, own_youth):
    from django.contrib.sessions.models import Session

    sign_in(client, idp)
    for session in Session.objects.all():
        assert HETU not in str(session.get_decoded())
    assert client.get(reverse("own:page")).status_code == 200
