"""Referrals to Kela's special service (issue 18): refused without the consent scope; Kela of
the county (or the contact named) takes it, records the assessment and ends it with a
hand-over; the worker sees each step while the consent holds; every read is logged."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import SpecialServiceReferral
from kelayhteistyo.models import AccessLog
from tests import factories as f

Status = SpecialServiceReferral.Status


@pytest.fixture
def special_consent(youth, alice):
    return f.ConsentFactory(youth=youth, recorded_by=alice, scope_kela_special_service=True)


@pytest.fixture
def referral(youth, alice, special_consent):
    return f.special_referral(youth=youth, worker=alice)


def referral_data(**kw):
    return {
        "reason": "Tarvitaan pidempää tukea.",
        "tried": "Yhteiset tapaamiset.",
        "youth_view": "Haluan apua.",
        "named_contact": "",
        **kw,
    }


def test_a_referral_without_the_consent_scope_is_refused_with_the_reason(
    client_as, alice, youth, consent
):
    with pytest.raises(ValidationError, match="suostumusta"):
        f.special_referral(youth=youth, worker=alice)
    url = reverse("cases:referral_create", args=[youth.pk])
    page = client_as(alice).get(url).content.decode()
    assert 'id="no-consent"' in page and "Kirjaa suostumus" in page
    response = client_as(alice).post(url, referral_data())
    assert response.status_code == 400
    assert not SpecialServiceReferral.objects.exists()


def test_the_worker_refers_and_a_missing_field_is_named_next_to_it(
    client_as, alice, youth, special_consent
):
    url = reverse("cases:referral_create", args=[youth.pk])
    client = client_as(alice)
    response = client.post(url, referral_data(tried=""))
    assert response.status_code == 400
    assert 'id="error_1_id_tried"' in response.content.decode()
    assert "Tarvitaan pidempää tukea." in response.content.decode()
    response = client.post(url, referral_data())
    referral = SpecialServiceReferral.objects.get()
    assert response["Location"] == reverse("special_service:detail", args=[referral.pk])
    assert (referral.status, referral.consent, referral.county) == (
        Status.REFERRED,
        special_consent,
        alice.organisation.county,
    )
    assert AccessLog.objects.filter(user=alice, object_type="specialservicereferral").exists()
    record = client.get(reverse("cases:detail", args=[youth.pk])).content.decode()
    assert reverse("special_service:detail", args=[referral.pk]) in record


def test_kela_of_the_county_sees_it_others_do_not(client_as, kela, kela_other, referral):
    kela_other.kela_profile.areas.set([f.county("kanta-hame")])
    assert [r.pk for r in client_as(kela).get("/").context["special_referrals"]] == [referral.pk]
    assert client_as(kela_other).get("/").context["special_referrals"] == []
    url = reverse("special_service:detail", args=[referral.pk])
    assert client_as(kela_other).get(url).status_code == 404
    client_as(kela).get(url)
    row = AccessLog.objects.get(user=kela, object_type="specialservicereferral")
    assert (row.action, row.basis, row.youth_id) == ("disclose", "consent", referral.youth_id)


def test_a_named_contact_alone_sees_it(client_as, alice, youth, special_consent, kela):
    named = f.KelaContactFactory(first_name="Nelli")
    referral = f.special_referral(youth=youth, worker=alice, named_contact=named)
    url = reverse("special_service:detail", args=[referral.pk])
    assert client_as(kela).get(url).status_code == 404
    assert client_as(named).get(url).status_code == 200


def test_kela_takes_assesses_and_ends_with_a_hand_over_the_worker_sees_each_step(
    client_as, alice, kela, kela_other, referral
):
    detail = reverse("special_service:detail", args=[referral.pk])
    client_as(kela).post(reverse("special_service:take", args=[referral.pk]))
    referral.refresh_from_db()
    assert (referral.status, referral.taken_by) == (Status.TAKEN, kela)
    # Taken: another contact of the county no longer sees it.
    assert client_as(kela_other).get(detail).status_code == 404

    assess = reverse("special_service:assess", args=[referral.pk])
    response = client_as(kela).post(assess, {"outcome": "accepted", "goals": "Opinnot"})
    assert response.status_code == 400
    form = response.context["assess_form"]
    assert set(form.errors) == {"special_contact", "planned_end"}
    assert "Opinnot" in response.content.decode()
    end_day = timezone.localdate() + datetime.timedelta(days=180)
    client_as(kela).post(
        assess,
        {
            "outcome": "accepted",
            "special_contact": kela.pk,
            "goals": "Opinnot jatkuvat, toimeentulo kunnossa",
            "pace": "Tapaaminen joka toinen viikko",
            "planned_end": end_day.strftime("%d.%m.%Y"),
        },
    )
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.planned_end) == (
        Status.IN_SERVICE,
        "accepted",
        end_day,
    )
    page = client_as(alice).get(detail).content.decode()
    assert "Otettu erityispalveluun" in page and "Tapaaminen joka toinen viikko" in page

    end = reverse("special_service:end", args=[referral.pk])
    refused = client_as(kela).post(end, {"handover": ""})
    assert refused.status_code == 400 and 'id="error_1_id_handover"' in refused.content.decode()
    client_as(kela).post(end, {"handover": "TE-palvelut, nimetty neuvoja"})
    referral.refresh_from_db()
    assert referral.status == Status.ENDED and referral.ended_at is not None
    assert "TE-palvelut, nimetty neuvoja" in client_as(alice).get(detail).content.decode()


def test_not_taken_into_the_service_needs_the_reason_and_ends_the_referral(kela, referral):
    services.special_referral_take(referral=referral, by=kela)
    services.special_referral_assess(
        referral=referral,
        by=kela,
        assessment={"outcome": "not_accepted", "outcome_reason": "Tavallinen palvelu riittää"},
    )
    assert referral.status == Status.ENDED and referral.outcome_reason


def test_the_assessment_form_wants_a_reason_when_not_taken(client_as, kela, referral):
    services.special_referral_take(referral=referral, by=kela)
    response = client_as(kela).post(
        reverse("special_service:assess", args=[referral.pk]), {"outcome": "other_service"}
    )
    assert response.status_code == 400
    assert response.context["assess_form"].errors["outcome_reason"]


def test_withdrawing_the_consent_ends_kelas_view_and_hides_the_steps(
    client_as, alice, kela, referral, special_consent
):
    services.special_referral_take(referral=referral, by=kela)
    services.consent_withdraw(consent=special_consent, by=alice)
    detail = reverse("special_service:detail", args=[referral.pk])
    assert client_as(kela).get(detail).status_code == 404
    page = client_as(alice).get(detail)
    assert page.status_code == 200 and not page.context["steps_shown"]
    with pytest.raises(ValidationError):
        services.special_referral_assess(
            referral=referral, by=kela, assessment={"outcome": "not_accepted"}
        )
