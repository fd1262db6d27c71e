"""Action items that live (issue 16): edit with history and an optimistic lock, cancel with a
reason and reopen, progress notes, and Kela adding items of its own."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kelayhteistyo.models import AccessLog
from meetings import notifications, services
from meetings.models import ActionItem, ActionItemChange, Notification
from meetings.notifications.meeting_kinds import item_open
from tests import factories as f


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def plan(youth, alice, kela, consent):
    meeting = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    return services.plan_save(
        meeting=meeting, fields={"summary": "Sovittiin"}, version=None, by=alice
    )


@pytest.fixture
def worker_item(plan, alice):
    owner = plan.meeting.participants.get(user=alice)
    return services.action_item_add(
        plan=plan, owner=owner, what="Soittaa Kelaan", due_date=in_days(7), by=alice
    )


@pytest.fixture
def kela_item(plan, kela):
    owner = f.kela_participant(plan.meeting, kela)
    return services.action_item_add(
        plan=plan, owner=owner, what="Selvittää tuen", due_date=in_days(7), by=kela
    )


def edit_url(item):
    return reverse("meetings:item_edit", args=[item.plan.meeting_id, item.pk])


def edit_data(item, **kw):
    data = {
        "owner": item.owner_id,
        "what": item.what,
        "due_date": item.due_date.isoformat() if item.due_date else "",
        "move_note": "",
        "version": str(item.version),
    }
    data.update(kw)
    return data


class TestEdit:
    def test_a_moved_due_date_keeps_its_history(self, client_as, alice, worker_item):
        client = client_as(alice)
        old = worker_item.due_date
        response = client.post(
            edit_url(worker_item),
            edit_data(
                worker_item,
                what="Soittaa Kelan neuvontaan",
                due_date=in_days(14).isoformat(),
                move_note="odotetaan päätöstä",
            ),
        )
        meeting = worker_item.plan.meeting
        assert response["Location"] == reverse("meetings:plan", args=[meeting.pk])
        worker_item.refresh_from_db()
        assert worker_item.what == "Soittaa Kelan neuvontaan"
        assert worker_item.due_date == in_days(14)
        assert worker_item.version == 2
        moved = worker_item.changes.get(field="due_date")
        assert (moved.old_date, moved.new_value, moved.note) == (
            old,
            in_days(14).isoformat(),
            "odotetaan päätöstä",
        )
        assert moved.changed_by == alice
        assert worker_item.changes.get(field="what").old_value == "Soittaa Kelaan"
        assert AccessLog.objects.filter(
            user=alice, action=AccessLog.Action.CHANGE, object_id=str(worker_item.pk)
        ).exists()
        page = client.get(reverse("meetings:plan", args=[meeting.pk])).content.decode()
        assert f"oli {old:%-d.%-m.%Y}, {alice.first_name} siirsi" in page
        assert "odotetaan päätöstä" in page

    def test_an_outdated_form_is_refused_and_nothing_typed_is_lost(
        self, client_as, alice, worker_item
    ):
        client = client_as(alice)
        stale = edit_data(worker_item, what="Minun versioni")
        client.post(edit_url(worker_item), edit_data(worker_item, what="Toisen versio"))
        response = client.post(edit_url(worker_item), stale)
        assert response.status_code == 400
        body = response.content.decode()
        assert "Joku toinen muutti tätä tehtävää" in body
        assert 'value="Minun versioni"' in body
        assert "Tehtävä: Toisen versio" in body  # the page still names the saved item
        worker_item.refresh_from_db()
        assert worker_item.what == "Toisen versio" and worker_item.version == 2

    def test_the_due_date_cannot_be_before_the_meeting(self, client_as, alice, worker_item):
        response = client_as(alice).post(
            edit_url(worker_item), edit_data(worker_item, due_date="2020-01-01")
        )
        assert response.status_code == 400
        assert response.context["form"].errors["due_date"]
        worker_item.refresh_from_db()
        assert worker_item.due_date == in_days(7) and not worker_item.changes.exists()

    def test_an_unchanged_save_writes_no_history(self, alice, worker_item):
        services.action_item_edit(
            item=worker_item,
            what=worker_item.what,
            owner=worker_item.owner,
            due_date=worker_item.due_date,
            note="",
            version=1,
            by=alice,
        )
        worker_item.refresh_from_db()
        assert worker_item.version == 1 and not worker_item.changes.exists()

    def test_kela_edits_its_own_item_and_keeps_it(self, client_as, kela, alice, kela_item):
        client = client_as(kela)
        page = client.get(edit_url(kela_item))
        assert page.status_code == 200 and "owner" not in page.context["form"].fields
        worker = kela_item.plan.meeting.participants.get(user=alice)
        response = client.post(
            edit_url(kela_item),
            edit_data(kela_item, owner=worker.pk, due_date=in_days(10).isoformat()),
        )
        meeting = kela_item.plan.meeting
        assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
        kela_item.refresh_from_db()
        assert kela_item.owner.user == kela and kela_item.due_date == in_days(10)

    def test_kela_cannot_hand_its_item_to_someone_else_through_the_service(
        self, kela, alice, kela_item
    ):
        worker = kela_item.plan.meeting.participants.get(user=alice)
        item = services.action_item_edit(
            item=kela_item,
            what="Toinen",
            owner=worker,
            due_date=None,
            note="",
            version=1,
            by=kela,
        )
        assert item.owner.user == kela

    def test_the_edit_page_is_logged_as_a_read(self, client_as, alice, worker_item):
        client_as(alice).get(edit_url(worker_item))
        assert AccessLog.objects.filter(
            user=alice, action=AccessLog.Action.READ, object_id=str(worker_item.pk)
        ).exists()


class TestCancelAndReopen:
    def test_a_cancelled_item_has_its_reason_and_opens_again(self, client_as, alice, worker_item):
        client = client_as(alice)
        meeting = worker_item.plan.meeting
        url = reverse("meetings:item_cancel", args=[meeting.pk, worker_item.pk])
        response = client.post(url, {"reason": ""})
        assert response.status_code == 400 and response.context["cancel_form"].errors["reason"]
        response = client.post(url, {"reason": "Hoitui muuta kautta"})
        assert response.status_code == 302
        worker_item.refresh_from_db()
        assert worker_item.is_cancelled and worker_item.done_at is None
        assert worker_item.cancel_reason == "Hoitui muuta kautta"
        page = client.get(reverse("meetings:plan", args=[meeting.pk])).content.decode()
        assert "Peruttu, ei tarpeen" in page and "Hoitui muuta kautta" in page
        client.post(
            reverse("meetings:item_toggle", args=[meeting.pk, worker_item.pk]), {"done": "0"}
        )
        worker_item.refresh_from_db()
        assert worker_item.is_open and worker_item.cancel_reason == ""
        steps = list(worker_item.changes.values_list("old_value", "new_value", "note"))
        assert steps == [("open", "cancelled", "Hoitui muuta kautta"), ("cancelled", "open", "")]

    def test_only_an_open_item_is_cancelled(self, alice, worker_item):
        services.action_item_set_done(item=worker_item, done=True, by=alice)
        with pytest.raises(ValidationError):
            services.action_item_cancel(item=worker_item, reason="Turha", by=alice)

    def test_the_database_holds_the_status_rules(self, worker_item):
        rows = ActionItem.objects.filter(pk=worker_item.pk)
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(status="cancelled", cancel_reason="")
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(status="cancelled", cancel_reason="x", done_at=timezone.now())

    def test_a_cancelled_item_is_not_reminded(self, alice, kela, worker_item, kela_item):
        ActionItem.objects.update(due_date=in_days(-1))
        services.action_item_cancel(item=kela_item, reason="Ei tarpeen", by=kela)
        Notification.objects.all().delete()
        notifications.reminders_create()
        reminded = set(
            Notification.objects.filter(action_item__isnull=False).values_list(
                "action_item", flat=True
            )
        )
        assert kela_item.pk not in reminded
        n = Notification(action_item=kela_item)
        assert item_open(n) == "cancelled"


class TestNotes:
    def test_worker_and_kela_note_progress(self, client_as, alice, kela, kela_item):
        meeting = kela_item.plan.meeting
        url = reverse("meetings:item_note", args=[meeting.pk, kela_item.pk])
        assert client_as(kela).post(url, {"note": "Hakemus lähetetty"}).status_code == 302
        assert client_as(alice).post(url, {"note": "Kuultu nuorelta"}).status_code == 302
        notes = kela_item.changes.filter(field=ActionItemChange.Field.NOTE)
        assert [(c.note, c.changed_by) for c in notes] == [
            ("Hakemus lähetetty", kela),
            ("Kuultu nuorelta", alice),
        ]
        page = client_as(kela).get(reverse("meetings:detail", args=[meeting.pk]))
        assert "Hakemus lähetetty" in page.content.decode()

    def test_an_empty_note_is_shown_next_to_the_field(self, client_as, alice, worker_item):
        meeting = worker_item.plan.meeting
        response = client_as(alice).post(
            reverse("meetings:item_note", args=[meeting.pk, worker_item.pk]), {"note": " "}
        )
        assert response.status_code == 400 and response.context["note_form"].errors["note"]
        assert not worker_item.changes.exists()


class TestKelaAdds:
    def test_kela_adds_an_item_owned_by_itself(self, client_as, alice, kela, plan):
        meeting = plan.meeting
        worker = meeting.participants.get(user=alice)
        client = client_as(kela)
        detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert reverse("meetings:item_add", args=[meeting.pk]) in detail
        response = client.post(
            reverse("meetings:item_add", args=[meeting.pk]),
            {"owner": worker.pk, "what": "Lähettää ohjeet", "due_date": in_days(3).isoformat()},
        )
        assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
        item = ActionItem.objects.get(what="Lähettää ohjeet")
        assert item.owner == f.kela_participant(meeting, kela)

    def test_a_bad_due_date_from_kela_is_shown_next_to_the_field(self, client_as, kela, plan):
        response = client_as(kela).post(
            reverse("meetings:item_add", args=[plan.meeting.pk]),
            {"what": "Lähettää ohjeet", "due_date": "2020-01-01"},
        )
        assert response.status_code == 400
        assert response.context["add_form"].errors["due_date"]
        assert b'value="L\xc3\xa4hett\xc3\xa4\xc3\xa4 ohjeet"' in response.content


def test_the_plan_page_has_a_constant_number_of_queries(
    client_as, alice, plan, django_assert_num_queries
):
    owner = plan.meeting.participants.get(user=alice)
    client = client_as(alice)
    url = reverse("meetings:plan", args=[plan.meeting.pk])

    def add_items(n):
        for i in range(n):
            item = services.action_item_add(
                plan=plan, owner=owner, what=f"Tehtävä {i}", due_date=in_days(5), by=alice
            )
            services.action_item_edit(
                item=item,
                what=item.what,
                owner=owner,
                due_date=in_days(6),
                note="siirtyi",
                version=1,
                by=alice,
            )
            services.action_item_note(item=item, note="etenee", by=alice)

    add_items(1)
    client.get(url)  # warm up the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_items(10)
    with django_assert_num_queries(len(few.captured_queries)):
        assert "siirtyi" in client.get(url).content.decode()
