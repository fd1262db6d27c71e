"""Identification under consent (issue 18): with the consent scope, the invited Kela contact sees
the young person's full name, date of birth, client group and aftercare end date on the meeting
page, and the identity code masked until they open it; each disclosure is its own access-log
row with the basis "consent". Without the scope: the first name only, and opening is a 404."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Consent
from cases.services import consent_withdraw
from kelayhteistyo.models import AccessLog
from tests import factories as f

CODE = "131052-308T"  # the example code of the Digital and Population Data Services Agency
MASKED = "131052-****"


@pytest.fixture
def identified(youth):
    # A last name no user of the test has (the page shows the Kela contact's own name too).
    youth.last_name = "Identiteettinen"
    youth.date_of_birth = datetime.date(1952, 10, 13)
    youth.identity_code = CODE
    youth.aftercare_ends_on = datetime.date(2027, 5, 31)
    youth.client_group = "unaccompanied"
    youth.save()
    return youth


@pytest.fixture
def identity_consent(identified, alice):
    return f.ConsentFactory(youth=identified, recorded_by=alice, scope_kela_identity=True)


def page(client, meeting):
    return client.get(reverse("meetings:detail", args=[meeting.pk]))


def show(client, meeting):
    return client.post(reverse("meetings:identity_code", args=[meeting.pk]))


def disclosures(kela, what):
    return AccessLog.objects.filter(user=kela, object_type=what)


def test_without_the_scope_kela_sees_the_first_name_only_and_cannot_open_the_code(
    client_as, kela, identified, meeting
):
    client = client_as(kela)
    html = page(client, meeting).content.decode()
    assert identified.first_name in html
    assert identified.last_name not in html
    assert MASKED not in html and "13.10.1952" not in html
    assert 'id="h-identity"' not in html
    assert show(client, meeting).status_code == 404
    refused = disclosures(kela, "kela_identity_code").get()
    assert (refused.action, refused.basis) == (AccessLog.Action.DENIED, AccessLog.Basis.NONE)
    assert not disclosures(kela, "kela_identity").exists()


def test_with_the_scope_kela_sees_the_identifying_data_and_the_code_masked(
    client_as, kela, identified, identity_consent, meeting
):
    html = page(client_as(kela), meeting).content.decode()
    assert identified.full_name in html
    assert "13.10.1952" in html and "31.5.2027" in html
    assert "Alaikäisenä ilman huoltajaa maahan tullut" in html  # the client group, in Finnish
    assert MASKED in html and CODE not in html
    row = disclosures(kela, "kela_identity").get()
    assert (row.action, row.basis) == (AccessLog.Action.DISCLOSE, AccessLog.Basis.CONSENT)
    assert row.youth_id == identified.pk and row.object_id == str(meeting.pk)


def test_opening_the_code_shows_it_and_each_opening_is_logged(
    client_as, kela, identified, identity_consent, meeting
):
    client = client_as(kela)
    first = show(client, meeting)
    assert first.status_code == 200
    assert (
        f'<span id="identity-code" class="font-monospace">{CODE}</span>' in first.content.decode()
    )
    assert "no-store" in first["Cache-Control"]
    show(client, meeting)
    rows = disclosures(kela, "kela_identity_code")
    assert rows.count() == 2
    assert set(rows.values_list("action", "basis")) == {
        (AccessLog.Action.DISCLOSE, AccessLog.Basis.CONSENT)
    }
    # The page read after GET shows the code masked again: opening is not remembered.
    assert CODE not in page(client, meeting).content.decode()


def test_a_young_person_without_a_code_has_nothing_to_open(client_as, kela, youth, alice, meeting):
    f.ConsentFactory(youth=youth, recorded_by=alice, scope_kela_identity=True)
    client = client_as(kela)
    assert youth.last_name in page(client, meeting).content.decode()
    assert show(client, meeting).status_code == 404


def test_the_worker_and_an_uninvited_contact_cannot_open_it(
    client_as, alice, kela_other, identity_consent, meeting
):
    assert show(client_as(alice), meeting).status_code == 403
    assert show(client_as(kela_other), meeting).status_code == 404


def test_withdrawing_the_scope_ends_the_disclosure_at_once(
    client_as, alice, kela, identified, consent, identity_consent, meeting
):
    """The meeting rests on the first consent; the identity consent is withdrawn."""
    consent_withdraw(consent=identity_consent, by=alice)
    client = client_as(kela)
    html = page(client, meeting).content.decode()
    assert identified.last_name not in html and MASKED not in html
    assert show(client, meeting).status_code == 404


def test_an_expired_scope_ends_the_disclosure(
    client_as, kela, identified, identity_consent, meeting
):
    Consent.objects.filter(pk=identity_consent.pk).update(valid_until=timezone.localdate())
    client = client_as(kela)
    assert show(client, meeting).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        client = client_as(kela)  # a new session: the old one has timed out
        assert show(client, meeting).status_code == 404
        assert identified.last_name not in page(client, meeting).content.decode()


def test_the_access_report_names_the_identity_code(
    client_as, alice, kela, identified, identity_consent, meeting
):
    show(client_as(kela), meeting)
    client = client_as(alice)
    session = client.session
    session["auth_at"] = timezone.now().isoformat()
    session.save()
    html = client.get(reverse("cases:access_report", args=[identified.pk])).content.decode()
    assert "henkilötunnus" in html


def test_the_consent_form_and_the_record_say_what_kela_sees(client_as, alice, youth, consent):
    client = client_as(alice)
    form = client.get(reverse("cases:consent_create", args=[youth.pk])).content.decode()
    assert 'name="scope_kela_identity"' in form
    assert "henkilötunnus" in form.lower()
    record = client.get(reverse("cases:detail", args=[youth.pk])).content.decode()
    assert "vain nuoren etunimen" in record
    f.ConsentFactory(youth=youth, recorded_by=alice, scope_kela_identity=True)
    record = client.get(reverse("cases:detail", args=[youth.pk])).content.decode()
    assert "syntymäajan, henkilötunnuksen" in record
