"""Kela as a partner on the dashboard (issue 18), with known answers: Kela's answer times to
invitations and the units' answer times to Kela's cooperation requests, by Kela office (never
by person), and the referrals to Kela's special service — suppressed below 5, in the
coordinator's scope, with the filters that apply."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import CooperationRequest, SpecialServiceReferral
from meetings.models import JointMeeting, Participant
from overview import dashboard, rollups
from overview.aggregates import aggregates
from overview.filters import whole_months
from overview.kela_figures import kela_numbers
from tests import factories as f

ALL_TIME = {"start": datetime.date(2000, 1, 1), "end": datetime.date(2099, 12, 31)}
DAY = datetime.timedelta(days=1)


@pytest.fixture
def kela_other(kela_other):
    """A Kela contact of another office."""
    kela_other.organisation.name = "Kela, Tampereen toimisto"
    kela_other.organisation.save()
    return kela_other


def answered_invitations(days: list[int], *, kela, organisation):
    """Meetings whose Kela invitation was answered after `days` calendar days each."""
    worker = f.WorkerFactory(organisation=organisation)
    for n in days:
        youth = f.YouthFactory(organisation=organisation, responsible_worker=worker)
        f.ConsentFactory(youth=youth, recorded_by=worker)
        meeting = f.invited_meeting(youth=youth, organiser=worker, kela=kela)
        invited = timezone.now() - datetime.timedelta(days=20)
        Participant.objects.filter(meeting=meeting, user=kela).update(
            invited_at=invited,
            responded_at=invited + n * DAY,
            status=Participant.Status.ACCEPTED,
        )


def requests_answered(days: list[int | None], *, kela, organisation, declined=0):
    """Requests taken `days` days after sending (None: still waiting); the first `declined` of
    them declined untaken instead, after the same days."""
    sent = timezone.now() - datetime.timedelta(days=30)
    for i, n in enumerate(days):
        coop = f.cooperation_request(kela=kela, organisation=organisation)
        fields = {"sent_at": sent}
        if n is not None and i < declined:
            fields |= {"status": "declined", "answered_at": sent + n * DAY}
        elif n is not None:
            worker = f.WorkerFactory(organisation=organisation)
            fields |= {"status": "taken", "taken_by": worker, "taken_at": sent + n * DAY}
        CooperationRequest.objects.filter(pk=coop.pk).update(**fields)


def referrals(outcomes_days: list[tuple[str, int | None]], *, organisation, group="aftercare"):
    """Referrals with their outcome ("" waiting) assessed after the days given."""
    worker = f.WorkerFactory(organisation=organisation)
    referred = timezone.now() - datetime.timedelta(days=40)
    kela = f.KelaContactFactory()
    for outcome, n in outcomes_days:
        youth = f.YouthFactory(
            organisation=organisation, responsible_worker=worker, client_group=group
        )
        f.ConsentFactory(youth=youth, recorded_by=worker, scope_kela_special_service=True)
        referral = f.special_referral(youth=youth, worker=worker)
        fields: dict = {"referred_at": referred}
        if outcome:
            fields |= {
                "status": "ended",
                "taken_by": kela,
                "outcome": outcome,
                "assessed_at": referred + n * DAY,
            }
        SpecialServiceReferral.objects.filter(pk=referral.pk).update(**fields)


def words(data, key):
    with translation.override("en"):
        (figure,) = [x for x in dashboard.kela_figures(data) if x.key == key]
        return [tuple(c if isinstance(c, int | float) else str(c) for c in r) for r in figure.rows]


def test_kela_answer_times_by_office_with_small_offices_suppressed(kela, kela_other):
    org = f.OrganisationFactory()
    answered_invitations([0, 1, 1, 2, 10], kela=kela, organisation=org)
    answered_invitations([3, 4], kela=kela_other, organisation=org)
    data = kela_numbers(None, ALL_TIME)
    by_office = {row["office"]: row for row in data["kela_answers"]}
    assert by_office[kela.organisation.name] == {
        "office": kela.organisation.name,
        "n": 5,
        "median": 1.0,
        "p90": pytest.approx(6.8),
    }
    assert by_office[kela_other.organisation.name]["n"] == 2
    shown = dict((row[0], row[1:]) for row in words(data, "kela_answers"))
    assert shown[kela.organisation.name] == (5, 1.0, 6.8)
    assert shown[kela_other.organisation.name] == ("< 5", "not shown (< 5)", "not shown (< 5)")
    # Never by person: no row names a contact person.
    assert all(kela.last_name not in str(row) for row in words(data, "kela_answers"))


def test_the_dashboard_reads_the_answer_times_from_the_summary_rows(kela, kela_other):
    """Issue 20: the answer times are kept in the rollups (a histogram per Kela office) and
    equal the raw rows' figure; two offices of the same name are one, as in the raw figure."""
    org = f.OrganisationFactory()
    answered_invitations([0, 1, 1, 2, 10], kela=kela, organisation=org)
    answered_invitations([3, 4], kela=kela_other, organisation=org)
    same_name = f.KelaContactFactory()
    same_name.organisation.name = kela.organisation.name  # another office of the same name
    same_name.organisation.save()
    answered_invitations([5], kela=same_name, organisation=org)
    rollups.rollups_rebuild()
    period = whole_months(timezone.localdate() - 60 * DAY, timezone.localdate() + 30 * DAY)
    from_rows = aggregates(None, period)["kela_answers"]
    assert from_rows == kela_numbers(None, period)["kela_answers"]
    assert {row["office"]: row["n"] for row in from_rows} == {
        kela.organisation.name: 6,
        kela_other.organisation.name: 2,
    }


def test_pending_invitations_and_meetings_recorded_afterwards_are_not_answers(kela):
    org = f.OrganisationFactory()
    answered_invitations([1, 1, 1, 1, 1], kela=kela, organisation=org)
    first, second = Participant.objects.filter(user=kela).order_by("pk")[:2]
    Participant.objects.filter(pk=first.pk).update(status=Participant.Status.PENDING)
    JointMeeting.objects.filter(pk=second.meeting_id).update(recorded_afterwards=True)
    (row,) = kela_numbers(None, ALL_TIME)["kela_answers"]
    assert row["n"] == 3


def test_request_answer_times_by_the_sending_office(kela, kela_other, alice):
    org = alice.organisation
    requests_answered([0, 1, 2, 3, 4, None], kela=kela, organisation=org, declined=1)
    requests_answered([2], kela=kela_other, organisation=org)
    data = kela_numbers(None, ALL_TIME)
    by_office = {row["office"]: row for row in data["requests"]}
    mine = by_office[kela.organisation.name]
    assert (mine["sent"], mine["declined"], mine["booked"]) == (6, 1, 0)
    assert mine["answer"] == {"n": 5, "median": 2.0, "p90": pytest.approx(3.6)}
    shown = dict((row[0], row[1:]) for row in words(data, "requests"))
    assert shown[kela.organisation.name] == (6, 5, "< 5", 0, 2.0, 3.6)
    assert shown[kela_other.organisation.name][:2] == ("< 5", "< 5")


def test_referrals_time_to_assessment_and_outcomes(alice):
    org = alice.organisation
    referrals(
        [
            ("accepted", 2),
            ("accepted", 4),
            ("accepted", 6),
            ("accepted", 8),
            ("accepted", 10),
            ("not_accepted", 3),
            ("", None),
        ],
        organisation=org,
    )
    numbers = kela_numbers(None, ALL_TIME)
    data = numbers["referrals"]
    assert data["n"] == 7 and data["waiting"] == 1
    assert data["outcomes"] == {"accepted": 5, "not_accepted": 1, "other_service": 0}
    assert data["assessed"] == {"n": 6, "median": 5.0, "p90": pytest.approx(9.0)}
    assert words(numbers, "referrals") == [
        ("Waiting for the assessment", "< 5"),
        ("Taken into the special service", 5),
        ("Not taken into the special service", "< 5"),
        ("Another service advised", 0),
    ]
    assert words(numbers, "referral_speed") == [(5.0, 9.0)]


def test_fewer_than_five_assessments_hide_the_times(alice):
    referrals([("accepted", 2), ("accepted", 4)], organisation=alice.organisation)
    assert words(kela_numbers(None, ALL_TIME), "referral_speed") == [
        ("not shown (< 5)", "not shown (< 5)")
    ]


def test_the_county_coordinator_sees_their_county_and_the_filters_apply(kela, alice):
    here = alice.organisation
    elsewhere = f.OrganisationFactory(county=f.county("kanta-hame"))
    requests_answered([1] * 5, kela=kela, organisation=here)
    requests_answered([1] * 6, kela=kela, organisation=elsewhere)
    referrals([("accepted", 3)] * 5, organisation=here, group="unaccompanied")
    referrals([("accepted", 3)] * 6, organisation=elsewhere)
    county = here.county
    assert [r["sent"] for r in kela_numbers(county, ALL_TIME)["requests"]] == [5]
    assert [r["sent"] for r in kela_numbers(None, ALL_TIME)["requests"]] == [11]
    only_elsewhere = {**ALL_TIME, "organisation": elsewhere}
    assert [r["sent"] for r in kela_numbers(None, only_elsewhere)["requests"]] == [6]
    assert kela_numbers(county, ALL_TIME)["referrals"]["n"] == 5
    group = {**ALL_TIME, "client_group": "unaccompanied"}
    assert kela_numbers(None, group)["referrals"]["n"] == 5
    # The period: requests sent 30 days ago are outside a period that ended before.
    past = {"start": datetime.date(2000, 1, 1), "end": datetime.date(2001, 1, 1)}
    assert kela_numbers(None, past)["requests"] == []
    assert kela_numbers(None, past)["referrals"]["n"] == 0


def test_the_dashboard_shows_the_kela_figures_in_the_coordinators_scope(client_as, kela, alice):
    requests_answered([1] * 5, kela=kela, organisation=alice.organisation)
    elsewhere = f.CoordinatorFactory(organisation__county=f.county("kanta-hame"))
    page = client_as(elsewhere).get(reverse("dashboard"))
    (figure,) = [x for x in page.context["figures"] if x.key == "requests"]
    assert figure.rows == []
    here = f.CoordinatorFactory(organisation__county=alice.organisation.county)
    page = client_as(here).get(reverse("dashboard"))
    (figure,) = [x for x in page.context["figures"] if x.key == "requests"]
    assert [row[1] for row in figure.rows] == [5]
    content = page.content.decode()
    assert "Kelan yhteistyöpyynnöt" in content and "Kelan toimisto" in content
    csv = client_as(here).get(reverse("dashboard"), {"csv": "requests"})
    assert csv.status_code == 200 and "5" in csv.content.decode("utf-8-sig")
