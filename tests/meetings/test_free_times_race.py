"""Two workers book the same free time at once (issue 18), in two transactions on PostgreSQL:
one wins, the other is told, nothing is double-booked."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from meetings.models import JointMeeting, KelaSlot, Participant
from meetings.workdays import is_working_day
from tests import factories as f
from tests.kelayhteistyo.test_access_log import needs_postgresql
from tests.meetings.test_free_times import T, book, publish


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_booking_the_same_time_one_wins_the_other_is_told():
    """The first booking holds the slot's row until it commits; the second waits for it, then
    sees the time taken. Exactly one meeting, exactly one slot taken."""
    assert connection.vendor == "postgresql", "CI must run this on PostgreSQL"
    kela = f.KelaContactFactory()
    alice, carl = f.WorkerFactory(), f.WorkerFactory()
    youths = []
    for worker in (alice, carl):
        youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
        f.ConsentFactory(youth=youth, recorded_by=worker)
        youths.append(youth)
    day = timezone.localdate() + datetime.timedelta(days=7)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    (slot,) = publish(kela, day, T(9), T(10))

    first_booked = threading.Event()
    let_first_commit = threading.Event()
    results: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = book(slot, youths[0], alice)
                first_booked.set()
                let_first_commit.wait(10)
        except Exception as exc:  # noqa: BLE001 — reported below
            results["first"] = exc
            first_booked.set()
        finally:
            connections.close_all()

    def second():
        try:
            results["second"] = book(KelaSlot.objects.get(pk=slot.pk), youths[1], carl)
        except Exception as exc:  # noqa: BLE001 — reported below
            results["second"] = exc
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert first_booked.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(1)
    assert two.is_alive(), "the second booking waits for the first transaction"
    let_first_commit.set()
    one.join(10)
    two.join(10)
    assert isinstance(results["first"], JointMeeting)
    assert isinstance(results["second"], ValidationError)
    assert "slot" in results["second"].message_dict
    assert JointMeeting.objects.count() == 1
    slot.refresh_from_db()
    assert slot.meeting_id == results["first"].pk
    assert Participant.objects.filter(user=kela).count() == 1
