"""The dashboard's review figure counts review rounds, each against the date agreed for it
(issue 16): a known answer, counted by hand."""

import datetime
import zoneinfo

import pytest
import time_machine

from meetings import services
from meetings.models import JointMeeting, Review
from overview import aggregates, raw, rollups
from tests import factories as f

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
S = JointMeeting.Status
PERIOD = {"start": datetime.date(2026, 1, 1), "end": datetime.date(2027, 12, 31)}


def at(day: str, hour=9):
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=HELSINKI)


def d(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


def plan_of(worker, review_date: str, kela_cooperation="yes"):
    """A meeting held on 2.11.2026 and its plan, the first review agreed for `review_date`."""
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    meeting = f.MeetingFactory(
        youth=youth, organiser=worker, starts_at=at("2026-11-02", 10), status=S.HELD
    )
    with time_machine.travel(at("2026-11-02", 12), tick=False):
        return services.plan_save(
            meeting=meeting,
            fields={
                "summary": "x",
                "review_date": d(review_date),
                "kela_cooperation": kela_cooperation,
            },
            version=None,
            by=worker,
        )


def review(plan, worker, held_on: str, **fields):
    plan.refresh_from_db()
    with time_machine.travel(at(held_on, 12), tick=False):
        return services.review_record(
            plan=plan,
            review=Review(held_on=d(held_on), how_it_went="x", **fields),
            done_items=[],
            by=worker,
            agreed_for=plan.review_date,
        )


@pytest.fixture
def rounds(alice):
    # A: three rounds: on time, late, and the third one overdue.
    a = plan_of(alice, "2026-11-25")
    review(a, alice, "2026-11-25", next_review_date=d("2026-12-16"), kela_continues=True)
    review(a, alice, "2026-12-18", next_review_date=d("2027-01-20"), kela_continues=True)
    # B: one round, reviewed before its date (on time), and the cooperation ended.
    b = plan_of(alice, "2026-12-01")
    review(b, alice, "2026-11-28", close_cooperation=True, end_reason="goals_reached")
    # C: the first round is still ahead. D: the first round is overdue.
    plan_of(alice, "2027-02-01")
    plan_of(alice, "2027-01-10", kela_cooperation="no")
    return a


def reviews_on(day: str) -> dict:
    """The review figures on a day, from the summary rows, checked against the raw rows."""
    rollups.rollups_rebuild()
    with time_machine.travel(at(day), tick=False):
        reviews = aggregates.aggregates(None, PERIOD)["reviews"]
        assert reviews == raw.aggregates_raw(None, PERIOD)["reviews"]
    return reviews


def test_rounds_are_counted_against_their_own_agreed_dates(rounds):
    reviews = reviews_on("2027-01-25")
    # By hand: round 1: on time A1 (25.11 for 25.11) and B1 (28.11 for 1.12), overdue D1
    # (10.1); C1 (1.2) not due. Round 2: late A2 (18.12 for 16.12). Round 3: overdue A3
    # (20.1). Kela continues in A and C, of the 4 plans.
    assert reviews == {
        "rounds": [
            {"round": 1, "on_time": 2, "late": 0, "overdue": 1},
            {"round": 2, "on_time": 0, "late": 1, "overdue": 0},
            {"round": 3, "on_time": 0, "late": 0, "overdue": 1},
        ],
        "continues": 2,
        "total": 4,
    }
    rounds.meeting.refresh_from_db()
    assert rounds.meeting.status == S.IN_FOLLOW_UP


def test_a_round_reviewed_after_its_date_is_late_not_overdue(rounds, alice):
    review(rounds, alice, "2027-01-25", close_cooperation=True, end_reason="other")
    reviews = reviews_on("2027-01-26")
    assert reviews["rounds"][2] == {"round": 3, "on_time": 0, "late": 1, "overdue": 0}
    assert sum(r["overdue"] for r in reviews["rounds"]) == 1  # D1 only
