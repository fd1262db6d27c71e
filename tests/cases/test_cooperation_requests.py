"""Kela starts cooperation (issue 18): the states of a cooperation request — sent, taken,
declined, booked, expired — through the services, and the nightly expiry with its data."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.models import CooperationRequest
from kelayhteistyo.models import AccessLog
from meetings import services as meeting_services
from meetings.models import JointMeeting
from overview.tasks import purge_stale_data
from tests import factories as f

Status = CooperationRequest.Status


@pytest.fixture
def coop(kela, alice):
    return f.cooperation_request(kela=kela, organisation=alice.organisation)


def test_a_sent_request_waits_for_the_unit_and_expires_after_the_setting(
    settings, kela, alice, coop
):
    assert coop.status == coop.state == Status.SENT
    assert coop.sent_by == kela
    expected = coop.sent_at + datetime.timedelta(days=settings.COOPERATION_REQUEST_DAYS)
    assert coop.expires_at == expected
    row = AccessLog.objects.get(object_type="cooperationrequest", object_id=str(coop.pk))
    assert (row.user, row.action, row.basis, row.youth_id) == (kela, "create", "request", None)


def test_only_a_kela_contact_sends_and_only_to_an_aftercare_unit(kela, alice):
    with pytest.raises(PermissionDenied):
        f.cooperation_request(kela=alice, organisation=alice.organisation)
    with pytest.raises(ValidationError):
        f.cooperation_request(kela=kela, organisation=kela.organisation)
    assert not CooperationRequest.objects.exists()


def test_whether_the_contact_serves_the_units_county(kela, alice, org_b):
    assert services.kela_serves(kela, alice.organisation)
    org_b.county = f.county("kanta-hame")
    org_b.save()
    assert not services.kela_serves(kela, org_b)
    # Allowed all the same: the view warns.
    assert f.cooperation_request(kela=kela, organisation=org_b).status == Status.SENT


def test_a_worker_takes_it_and_a_colleague_is_told_who_has_it(alice, coop):
    colleague = f.WorkerFactory(organisation=alice.organisation, first_name="Cecilia")
    services.cooperation_request_take(request=coop, by=alice)
    assert (coop.status, coop.taken_by) == (Status.TAKEN, alice)
    assert coop.taken_at is not None
    with pytest.raises(ValidationError, match=alice.get_full_name()):
        services.cooperation_request_take(request=coop, by=colleague)
    coop.refresh_from_db()
    assert coop.taken_by == alice


def test_a_worker_of_another_unit_cannot_take_or_decline(bob, coop):
    with pytest.raises(PermissionDenied):
        services.cooperation_request_take(request=coop, by=bob)
    with pytest.raises(PermissionDenied):
        services.cooperation_request_decline(request=coop, by=bob, reason="Ei meidän")
    coop.refresh_from_db()
    assert coop.status == Status.SENT


def test_any_worker_of_the_unit_declines_an_untaken_request_with_a_reason(alice, coop):
    with pytest.raises(ValidationError) as refused:
        services.cooperation_request_decline(request=coop, by=alice, reason="  ")
    assert "reason" in refused.value.error_dict
    services.cooperation_request_decline(request=coop, by=alice, reason="Ei asiakkaamme.")
    assert (coop.status, coop.decline_reason, coop.answered_by) == (
        Status.DECLINED,
        "Ei asiakkaamme.",
        alice,
    )
    with pytest.raises(ValidationError, match="on jo vastattu"):
        services.cooperation_request_take(request=coop, by=alice)


def test_once_taken_only_the_taker_declines(alice, coop):
    colleague = f.WorkerFactory(organisation=alice.organisation)
    services.cooperation_request_take(request=coop, by=colleague)
    with pytest.raises(ValidationError):
        services.cooperation_request_decline(request=coop, by=alice, reason="Ei")
    services.cooperation_request_decline(request=coop, by=colleague, reason="Muuttanut pois")
    assert coop.status == Status.DECLINED


def test_the_taker_links_a_record_of_the_unit(alice, youth, bob, coop):
    with pytest.raises(ValidationError):  # not taken yet
        services.cooperation_request_link(request=coop, youth=youth, by=alice)
    services.cooperation_request_take(request=coop, by=alice)
    other = f.YouthFactory(organisation=bob.organisation, responsible_worker=bob)
    with pytest.raises(ValidationError):
        services.cooperation_request_link(request=coop, youth=other, by=alice)
    services.cooperation_request_link(request=coop, youth=youth, by=alice)
    assert coop.youth == youth
    assert AccessLog.objects.filter(
        youth=youth, object_type="cooperationrequest", action="change"
    ).exists()


def _book(coop, youth, alice, kela, *, invite):
    meeting = f.MeetingFactory.build(youth=youth, organiser=alice)
    return meeting_services.meeting_create(
        meeting=meeting,
        by=alice,
        kela_contact=kela,
        others=[],
        invite=invite,
        cooperation_request=coop,
    )


def test_inviting_kela_to_a_meeting_booked_from_the_request_answers_it(
    alice, kela, youth, consent, coop
):
    services.cooperation_request_take(request=coop, by=alice)
    services.cooperation_request_link(request=coop, youth=youth, by=alice)
    draft = _book(coop, youth, alice, kela, invite=False)
    coop.refresh_from_db()
    assert coop.status == Status.TAKEN  # a draft is not a booking
    assert draft.cooperation_request == coop
    meeting_services.meeting_invite(meeting=draft, kela_contact=kela, by=alice)
    coop.refresh_from_db()
    assert (coop.status, coop.answered_by) == (Status.BOOKED, alice)
    assert list(coop.meetings.all()) == [draft]


def test_a_meeting_cannot_answer_a_request_that_is_not_the_workers(
    alice, kela, youth, consent, coop
):
    colleague = f.WorkerFactory(organisation=alice.organisation)
    services.cooperation_request_take(request=coop, by=colleague)
    with pytest.raises(ValidationError):
        _book(coop, youth, alice, kela, invite=True)
    assert not JointMeeting.objects.exists()


def test_an_unanswered_request_expires_and_its_personal_data_is_blanked(settings, kela, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        waiting = f.cooperation_request(kela=kela, organisation=alice.organisation)
        taken = f.cooperation_request(kela=kela, organisation=alice.organisation)
        services.cooperation_request_take(request=taken, by=alice)
    days = settings.COOPERATION_REQUEST_DAYS
    with time_machine.travel(start + datetime.timedelta(days=days, minutes=1), tick=False):
        assert waiting.state == Status.EXPIRED  # before the nightly task, as the users see it
        with pytest.raises(ValidationError, match="vanhentunut"):
            services.cooperation_request_take(request=waiting, by=alice)
        assert purge_stale_data()["cooperation_requests"] == {"expired": 2, "erased": 2}
    for coop in (waiting, taken):
        coop.refresh_from_db()
        assert coop.status == Status.EXPIRED and coop.erased_at is not None
        assert (coop.first_name, coop.last_name, coop.date_of_birth) == ("", "", None)
        assert (coop.noticed, coop.asked, coop.contact_agreed) == ("", "", "")
        assert coop.sent_by == kela and coop.organisation == alice.organisation


def test_an_answered_request_keeps_its_data_for_kela_to_read_then_it_is_blanked(
    settings, kela, alice, youth, consent
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        declined = f.cooperation_request(kela=kela, organisation=alice.organisation)
        services.cooperation_request_decline(request=declined, by=alice, reason="Ei asiakas")
        booked = f.cooperation_request(kela=kela, organisation=alice.organisation)
        services.cooperation_request_take(request=booked, by=alice)
        services.cooperation_request_link(request=booked, youth=youth, by=alice)
        _book(booked, youth, alice, kela, invite=True)
        fresh = f.cooperation_request(kela=kela, organisation=alice.organisation)
    keep = settings.COOPERATION_REQUEST_KEEP_DAYS
    with time_machine.travel(start + datetime.timedelta(days=keep - 1), tick=False):
        assert purge_stale_data()["cooperation_requests"] == {"expired": 0, "erased": 0}
    with time_machine.travel(start + datetime.timedelta(days=keep, minutes=1), tick=False):
        assert purge_stale_data()["cooperation_requests"] == {"expired": 0, "erased": 2}
        assert purge_stale_data()["cooperation_requests"] == {"expired": 0, "erased": 0}
    declined.refresh_from_db()
    assert declined.status == Status.DECLINED and declined.decline_reason == ""
    booked.refresh_from_db()
    assert booked.status == Status.BOOKED and booked.first_name == ""
    assert booked.youth == youth  # the link stays: the young person's access report uses it
    fresh.refresh_from_db()
    assert fresh.first_name == "Ahmad" and fresh.erased_at is None
