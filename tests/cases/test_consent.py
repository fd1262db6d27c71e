"""Consent: recording, validity, history, withdrawal and what withdrawal does to Kela's access."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Consent, Scope
from cases.services import consent_withdraw
from meetings import services
from meetings.models import JointMeeting
from tests import factories as f


def test_a_consent_is_valid_until_its_end_date(youth, alice):
    today = timezone.localdate()
    c = f.ConsentFactory(youth=youth, recorded_by=alice, valid_until=today)
    assert c.is_valid
    assert youth.current_consent() == c
    Consent.objects.filter(pk=c.pk).update(valid_until=today - datetime.timedelta(days=1))
    c.refresh_from_db()
    assert not c.is_valid
    assert youth.current_consent() is None


def test_what_consents_cover_together_is_what_each_scope_asked_alone_says(youth, alice):
    """ConsentQuerySet.scopes, the one reading for a page that asks several questions of the
    consent (the meeting page), answers as covering(scope) does: not a withdrawn consent, not
    one that has ended or is not yet given; two valid consents together."""
    today, day = timezone.localdate(), datetime.timedelta(days=1)
    nothing = {scope.value: False for scope in Scope}

    def give(*scopes, **fields):
        chosen = {scope.value: True for scope in scopes}
        return f.ConsentFactory(youth=youth, recorded_by=alice, **{**nothing, **chosen}, **fields)

    def covered():
        alone = {scope for scope in Scope if youth.consents.covering(scope).exists()}
        assert youth.consents.scopes() == alone
        return alone

    assert covered() == set()
    give(Scope.KELA_MEETING)
    withdrawn = give(Scope.SHARE_PLAN)
    Consent.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now(), withdrawn_by=alice)
    ending = give(Scope.KELA_IDENTITY, Scope.NETWORK, valid_until=today)
    give(Scope.REMINDERS, given_at=timezone.now() + day)
    assert covered() == {Scope.KELA_MEETING, Scope.KELA_IDENTITY, Scope.NETWORK}
    Consent.objects.filter(pk=ending.pk).update(valid_until=today - day)
    assert covered() == {Scope.KELA_MEETING}


def test_it_records_consent_through_the_form(client_as, alice, youth):
    today = timezone.localdate()
    response = client_as(alice).post(
        reverse("cases:consent_create", args=[youth.pk]),
        {
            "scope_kela_meeting": "on",
            "scope_share_plan": "on",
            "how_given": "orally",
            "given_at": today.isoformat(),
            "valid_until": "",
        },
    )
    assert response.status_code == 302
    consent = youth.consents.get()
    assert consent.recorded_by == alice
    assert consent.scope_kela_meeting and consent.scope_share_plan
    assert not consent.scope_reminders
    assert consent.is_valid


def test_a_new_consent_beside_a_valid_one_says_the_earlier_still_holds(client_as, alice, youth):
    def record(scopes):
        data = {"how_given": "orally", "given_at": timezone.localdate().isoformat()}
        url = reverse("cases:consent_create", args=[youth.pk])
        return client_as(alice).post(url, {**data, **scopes}, follow=True).content.decode()

    first = record({"scope_kela_meeting": "on", "scope_share_plan": "on"})
    assert "Aiempi suostumus on yhä voimassa" not in first
    second = record({"scope_kela_meeting": "on"})
    assert "Aiempi suostumus on yhä voimassa" in second


def test_a_consent_needs_a_scope_and_keeps_the_input(client_as, alice, youth):
    response = client_as(alice).post(
        reverse("cases:consent_create", args=[youth.pk]),
        {
            "how_given": "orally",
            "given_at": timezone.localdate().isoformat(),
            "valid_until": "2099-01-01",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    message = "Valitse vähintään yksi asia, johon nuori suostuu."
    assert response.context["form"].non_field_errors() == [message]
    # Next to the checkboxes, and the summary above links there.
    assert f'<p id="scopes-error" class="text-danger fw-bold mb-2">{message}</p>' in page
    assert page.index('id="scopes"') < page.index('id="scopes-error"')
    assert f'<a href="#scopes">{message}</a>' in page
    assert 'value="2099-01-01"' in response.content.decode()
    assert not youth.consents.exists()


def test_a_consent_cannot_end_before_it_starts(client_as, alice, youth):
    response = client_as(alice).post(
        reverse("cases:consent_create", args=[youth.pk]),
        {
            "scope_kela_meeting": "on",
            "how_given": "orally",
            "given_at": timezone.localdate().isoformat(),
            "valid_until": "2020-01-01",
        },
    )
    assert response.context["form"].errors["valid_until"]


def test_withdrawal_keeps_the_history(consent, alice, youth):
    new = f.ConsentFactory(youth=youth, recorded_by=alice)
    consent_withdraw(consent=consent, by=alice, note="Puhelimessa")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_by == alice
    assert youth.consents.count() == 2
    assert youth.current_consent() == new
    with pytest.raises(ValidationError):
        consent_withdraw(consent=consent, by=alice)


def test_withdrawal_cancels_pending_meetings_and_ends_kela_access(meeting, alice, kela, consent):
    other_kela_meeting = f.invited_meeting(youth=meeting.youth, organiser=alice, kela=kela)
    services.invitation_respond(
        participant=f.kela_participant(other_kela_meeting, kela), answer="accepted", by=kela
    )
    assert JointMeeting.objects.visible_to(kela).count() == 2
    consent_withdraw(consent=consent, by=alice)
    meeting.refresh_from_db()
    other_kela_meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.CANCELLED
    assert other_kela_meeting.status == JointMeeting.Status.CANCELLED
    assert meeting.cancel_reason == "Nuori perui suostumuksensa."  # default language fi
    assert JointMeeting.objects.visible_to(kela).count() == 0


def test_withdrawal_ends_access_to_held_meetings_too(youth, alice, kela, consent, client_as):
    held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    url = reverse("meetings:detail", args=[held.pk])
    assert client_as(kela).get(url).status_code == 200
    consent_withdraw(consent=consent, by=alice)
    assert client_as(kela).get(url).status_code == 404
    held.refresh_from_db()
    assert held.status == JointMeeting.Status.HELD  # what happened stays on record


def test_withdrawal_leaves_meetings_covered_by_another_consent(meeting, alice, consent):
    f.ConsentFactory(youth=meeting.youth, recorded_by=alice)
    consent_withdraw(consent=consent, by=alice)
    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.INVITED


def test_it_withdraws_through_the_page(client_as, alice, youth, consent, meeting):
    response = client_as(alice).post(
        reverse("cases:consent_withdraw", args=[youth.pk, consent.pk]), {"note": "Soitti"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawal_note == "Soitti"
    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.CANCELLED


def test_the_consent_of_another_young_person_is_404(client_as, alice, youth):
    other = f.YouthFactory(organisation=alice.organisation, responsible_worker=alice)
    consent = f.ConsentFactory(youth=other, recorded_by=alice)
    response = client_as(alice).post(reverse("cases:consent_withdraw", args=[youth.pk, consent.pk]))
    assert response.status_code == 404


def test_the_consent_form_offers_only_real_ways_of_giving_consent(client_as, alice, youth):
    response = client_as(alice).get(reverse("cases:consent_create", args=[youth.pk]))
    choices = [value for value, _label in response.context["form"].fields["how_given"].choices]
    assert "" not in choices and choices
    assert not any(response.context["form"][scope].value() for scope in Consent.SCOPES)


def test_withdrawing_asks_first_naming_what_will_happen_and_then_says_what_did(
    client_as, alice, kela, youth, consent
):
    """Issue 22.4: the record links to a page that names the meetings to be cancelled and the
    Kela contacts whose access ends; after withdrawing, the message names the cancelled
    meeting."""
    from django.utils.formats import date_format

    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    client = client_as(alice)
    record = client.get(reverse("cases:detail", args=[youth.pk])).content.decode()
    confirm_url = reverse("cases:consent_withdraw_confirm", args=[youth.pk, consent.pk])
    assert confirm_url in record
    withdraw_url = reverse("cases:consent_withdraw", args=[youth.pk, consent.pk])
    assert f'action="{withdraw_url}"' not in record  # no one-click withdrawal any more
    page = client.get(confirm_url).content.decode()
    when = date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT")
    assert when in page and kela.get_full_name() in page
    response = client.post(
        reverse("cases:consent_withdraw", args=[youth.pk, consent.pk]), {"note": ""}, follow=True
    )
    message = str(list(response.context["messages"])[0])
    assert when in message and "peruttiin" in message
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


def test_the_plan_to_the_network_needs_the_messages_to_the_network(client_as, alice, youth):
    """Issue 17: the two scopes of the network; the plan alone is refused next to its box."""
    url = reverse("cases:consent_create", args=[youth.pk])
    data = {"how_given": "orally", "given_at": timezone.localdate().isoformat()}
    response = client_as(alice).post(url, {**data, "scope_network_plan": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["scope_network_plan"] == [
        "Suunnitelma lähetetään verkoston jäsenille vain, jos myös viestit heille on sallittu."
    ]
    response = client_as(alice).post(
        url, {**data, "scope_network": "on", "scope_network_plan": "on"}
    )
    assert response.status_code == 302
    consent = youth.consents.get()
    assert consent.scope_network and consent.scope_network_plan
    assert not consent.scope_kela_meeting
