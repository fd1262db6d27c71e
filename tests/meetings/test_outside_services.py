"""Named outside services as action-item owners (issue 16): "TE-palvelut will…", followed up
by the aftercare worker, who gets the item's reminders; shown on the plan page, in the
young person's plain-language copy and in the client-plan PDF."""

import datetime
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import notifications, pdf, services
from meetings.models import ActionItem, Notification
from tests import factories as f
from tests.meetings.test_export import text_of


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def plan(youth, alice, kela, consent):
    meeting = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    return services.plan_save(
        meeting=meeting, fields={"summary": "Sovittiin"}, version=None, by=alice
    )


def add(client, plan, **data):
    return client.post(reverse("meetings:item_add", args=[plan.meeting_id]), data)


def test_a_worker_names_an_outside_service_and_follows_it_up(client_as, alice, plan):
    client = client_as(alice)
    response = add(
        client,
        plan,
        owner="",
        outside_service="TE-palvelut",
        what="Kutsuu työvoimakoulutukseen",
        due_date=in_days(10).isoformat(),
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert item.outside_service == "TE-palvelut"
    assert item.owner.user == alice  # the worker follows it up
    page = client.get(reverse("meetings:plan", args=[plan.meeting_id])).content.decode()
    assert "TE-palvelut" in page
    assert f"Ulkopuolinen palvelu · seuraa: {alice}" in page


def test_neither_who_nor_service_is_named_next_to_the_field(client_as, alice, plan):
    response = add(client_as(alice), plan, owner="", outside_service="", what="Jotain")
    assert response.status_code == 400
    errors = response.context["item_form"].errors["owner"]
    assert errors == ["Valitse, kuka tekee, tai nimeä ulkopuolinen palvelu."]
    assert 'value="Jotain"' in response.content.decode()  # nothing typed is lost
    assert not ActionItem.objects.exists()


def test_an_outside_service_is_followed_up_by_a_worker_not_by_the_young_person(alice, plan):
    young = plan.meeting.participants.get(kind="young_person")
    with pytest.raises(ValidationError) as e:
        services.action_item_add(
            plan=plan,
            owner=young,
            outside_service="aikuissosiaalityö",
            what="Tekee päätöksen",
            due_date=None,
            by=alice,
        )
    assert "owner" in e.value.message_dict


def test_kela_cannot_name_an_outside_service(kela, plan):
    item = services.action_item_add(
        plan=plan, owner=None, outside_service="TE-palvelut", what="Oma", due_date=None, by=kela
    )
    assert item.outside_service == "" and item.owner.user == kela


def test_the_reminders_of_an_outside_service_go_to_the_worker(alice, plan):
    item = services.action_item_add(
        plan=plan,
        owner=None,
        outside_service="TE-palvelut",
        what="Kutsuu koulutukseen",
        due_date=None,
        by=alice,
    )
    day = notifications.add_working_days(timezone.localdate(), 10)
    ActionItem.objects.filter(pk=item.pk).update(due_date=day - datetime.timedelta(days=1))
    Notification.objects.all().delete()
    noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    with time_machine.travel(noon, tick=False):
        notifications.reminders_create()
    overdue = Notification.objects.filter(kind=Notification.Kind.ITEM_OVERDUE, action_item=item)
    assert [n.recipient for n in overdue] == [alice]


def test_changing_the_service_keeps_its_history(alice, plan):
    item = services.action_item_add(
        plan=plan, owner=None, outside_service="TE-palvelut", what="Kutsuu", due_date=None, by=alice
    )
    services.action_item_edit(
        item=item,
        what="Kutsuu",
        owner=None,
        outside_service="aikuissosiaalityö",
        due_date=None,
        note="",
        version=1,
        by=alice,
    )
    change = item.changes.get(field="owner")
    assert change.old_value.startswith("TE-palvelut") and change.new_value.startswith(
        "aikuissosiaalityö"
    )
    item.refresh_from_db()
    assert item.owner.user == alice
    # Back to a participant: the service name goes.
    services.action_item_edit(
        item=item,
        what="Kutsuu",
        owner=plan.meeting.participants.get(kind="young_person"),
        outside_service="",
        due_date=None,
        note="",
        version=2,
        by=alice,
    )
    item.refresh_from_db()
    assert item.outside_service == "" and item.owner.kind == "young_person"


def test_the_documents_say_who_does_it(alice, plan):
    services.action_item_add(
        plan=plan,
        owner=None,
        outside_service="TE-palvelut",
        what="Kutsuu koulutukseen",
        due_date=None,
        by=alice,
    )
    plain = text_of(pdf.render(plan, variant="plain", language="fi", by=alice, number=1))
    official = text_of(pdf.render(plan, variant="official", language="fi", by=alice, number=1))
    assert "TE-palvelut tekee: Kutsuu koulutukseen" in plain
    assert f"TE-palvelut Ulkopuolinen palvelu · seuraa: {alice}" in official


def test_the_client_plan_json_names_the_outside_service(alice, plan):
    """plan.json version 2 carries the service beside the worker who follows it up."""
    from io import BytesIO

    from jsonschema import validate
    from pypdf import PdfReader

    from tests.meetings.test_export import SCHEMA

    services.action_item_add(
        plan=plan,
        owner=None,
        outside_service="TE-palvelut",
        what="Kutsuu koulutukseen",
        due_date=None,
        by=alice,
    )
    content = pdf.render(plan, variant="official", language="fi", by=alice, number=1)
    (attachment,) = PdfReader(BytesIO(content)).attachments["plan.json"]
    data = json.loads(attachment)
    validate(data, SCHEMA)
    (item,) = [i for i in data["action_items"] if i["what"] == "Kutsuu koulutukseen"]
    assert item["outside_service"] == "TE-palvelut"
    assert item["owner"] == alice.get_full_name() and item["owner_kind"] == "aftercare_worker"
