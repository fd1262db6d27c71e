"""Outside owners update their items by signed link (issue 17): a network member or a named
outside service with an address gets a link to their own item only — mark it done, or say why
not and propose a new date — without an account; every use is in the access log."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kelayhteistyo.models import AccessLog
from meetings import notifications, services
from meetings.models import (
    ActionItem,
    ActionItemChange,
    ItemLink,
    Notification,
    Participant,
)
from meetings.workdays import is_working_day
from tests import factories as f

Kind = Notification.Kind
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def deliver_all():
    return [
        notifications.deliver(pk, "t")
        for pk in Notification.objects.filter(status="pending").values_list("pk", flat=True)
    ]


@pytest.fixture
def plan(youth, alice, kela, consent):
    # The young person agreed to messages to the network named in the plan.
    type(consent).objects.filter(pk=consent.pk).update(scope_network=True)
    meeting = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    plan = services.plan_save(
        meeting=meeting, fields={"summary": "Sovittiin asumistuesta"}, version=None, by=alice
    )
    Notification.objects.all().delete()  # the invitation and the rest: not these tests' own
    return plan


@pytest.fixture
def support(plan):
    """A support person of the network, with an address."""
    return Participant.objects.create(
        meeting=plan.meeting,
        kind=Participant.Kind.OTHER,
        name="Sari Tukihenkilö",
        role_title="tukihenkilö",
        email="sari@example.fi",
    )


@pytest.fixture
def item(plan, support, alice):
    return services.action_item_add(
        plan=plan, owner=support, what="Käy asuntotoimistossa", due_date=in_days(7), by=alice
    )


def link_url(item, token=None):
    token = token or ItemLink.objects.active().get(item=item).token()
    return reverse("meetings:item_link", args=[item.pk, token])


# Sending ------------------------------------------------------------------------------------


def test_a_network_member_with_an_address_gets_the_link_and_nothing_sensitive(item, youth):
    assert deliver_all() == ["sent"]
    [message] = mail.outbox
    assert message.to == ["sari@example.fi"]
    link = ItemLink.objects.get(item=item)
    assert link.name == "Sari Tukihenkilö" and link.participant.kind == "other"
    html = message.alternatives[0][0]
    text = message.body
    path = reverse("meetings:item_link", args=[item.pk, "x"]).rsplit("x/", 1)[0]
    for body in (text, html):
        assert "Käy asuntotoimistossa" in body
        assert f"http://testserver{path}" in body or f"{path}" in body
        # No name of the young person, nothing of the plan beyond the item itself.
        assert youth.first_name not in body and youth.last_name not in body
        assert "asumistuesta" not in body
    assert not message.attachments


def test_the_link_in_the_email_opens_the_page(client, item):
    deliver_all()
    url = next(w for w in mail.outbox[0].body.split() if "/link/" in w)
    response = client.get(url.split("testserver")[-1].replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    assert "Käy asuntotoimistossa" in response.content.decode()


def test_a_named_outside_service_with_an_address_gets_the_link(plan, alice):
    item = services.action_item_add(
        plan=plan,
        owner=None,
        outside_service="TE-palvelut",
        outside_service_email="te@example.fi",
        what="Kutsuu työvoimakoulutukseen",
        due_date=in_days(10),
        by=alice,
    )
    assert item.owner.user == alice  # the worker still follows it up
    deliver_all()
    assert [m.to for m in mail.outbox] == [["te@example.fi"]]
    assert ItemLink.objects.get(item=item).name == "TE-palvelut"


def test_an_address_without_a_service_is_refused_next_to_the_field(client_as, alice, plan):
    response = client_as(alice).post(
        reverse("meetings:item_add", args=[plan.meeting_id]),
        {"owner": plan.meeting.participants.get(user=alice).pk, "what": "X", "due_date": ""}
        | {"outside_service_email": "te@example.fi"},
    )
    assert response.status_code == 400
    assert "outside_service_email" in response.context["item_form"].errors
    assert 'value="te@example.fi"' in response.content.decode()


def test_no_link_without_a_consent_that_covers_messages_to_the_network(
    plan, support, alice, consent
):
    type(consent).objects.filter(pk=consent.pk).update(scope_network=False)
    services.action_item_add(plan=plan, owner=support, what="X", due_date=None, by=alice)
    assert not Notification.objects.filter(kind=Kind.OWNER_ITEM_LINK).exists()


def test_a_new_date_or_wording_sends_the_link_again(item, alice):
    services.action_item_edit(
        item=item,
        what=item.what,
        owner=item.owner,
        due_date=in_days(14),
        note="",
        version=item.version,
        by=alice,
    )
    sent = Notification.objects.filter(kind=Kind.OWNER_ITEM_LINK)
    assert sent.count() == 2
    assert ItemLink.objects.filter(item=item).count() == 1  # one link per item and recipient


def test_reassigning_the_item_ends_the_link(client, item, alice):
    old = link_url(item)
    worker = item.plan.meeting.participants.get(user=alice)
    services.action_item_edit(
        item=item,
        what=item.what,
        owner=worker,
        due_date=item.due_date,
        note="",
        version=item.version,
        by=alice,
    )
    response = client.get(old, **EN)
    assert response.status_code == 410
    assert "The link is not valid" in response.content.decode()
    assert alice.get_full_name() in response.content.decode()  # whom to contact


# The page -----------------------------------------------------------------------------------


def test_the_owner_sees_their_item_only_without_an_account(client, item, youth):
    response = client.get(link_url(item), **EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Käy asuntotoimistossa" in page
    assert youth.first_name in page
    assert youth.last_name not in page and "asumistuesta" not in page
    assert "<script" not in page.split("</head>")[1]  # nothing needs JavaScript
    assert response["Cache-Control"].startswith("max-age=0")
    row = AccessLog.objects.get(youth=youth, basis=AccessLog.Basis.SIGNED_LINK)
    assert (row.user, row.action, row.object_type) == (None, "read", "actionitem")
    assert row.actor == "Sari Tukihenkilö <sari@example.fi>"


def test_a_tampered_link_gets_a_clear_page(client, item):
    token = ItemLink.objects.get(item=item).token()
    response = client.get(link_url(item, token[:-2] + ("AA" if token[-2:] != "AA" else "BB")))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Linkki ei ole voimassa" in page
    assert "Mitään ei tallennettu." in page


def test_an_expired_link_says_so_and_whom_to_contact(client, item, alice, youth):
    url = link_url(item)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        response = client.get(url, **EN)
    assert response.status_code == 410
    page = response.content.decode()
    assert "The link has expired" in page and alice.get_full_name() in page
    assert AccessLog.objects.filter(youth=youth, action="denied", actor__contains="Sari").exists()


def test_another_items_id_with_this_token_is_refused(client, item, plan, alice):
    other = services.action_item_add(
        plan=plan, owner=item.owner, what="Toinen", due_date=None, by=alice
    )
    token = ItemLink.objects.get(item=item).token()
    response = client.get(reverse("meetings:item_link", args=[other.pk, token]), **EN)
    assert response.status_code == 400
    assert "Toinen" not in response.content.decode()


def test_a_link_after_the_item_is_done_or_cancelled_says_so(client, item, alice):
    url = link_url(item)
    services.action_item_cancel(item=item, reason="Ei tarvita", by=alice)
    page = client.get(url, **EN).content.decode()
    assert "This action item was cancelled" in page and "It is done" not in page
    services.action_item_set_done(item=item, done=True, by=alice)
    response = client.get(url, **EN)
    assert response.status_code == 200
    assert "was marked done" in response.content.decode()


def test_the_link_stops_when_the_consent_ends(client, item, consent, alice):
    from cases import services as cases_services

    url = link_url(item)
    cases_services.consent_withdraw(consent=consent, by=alice, note="")
    response = client.get(url, **EN)
    assert response.status_code == 410
    assert "Käy asuntotoimistossa" not in response.content.decode()


def test_the_link_stops_when_the_cooperation_ends(client, item):
    url = link_url(item)
    type(item.plan.meeting).objects.filter(pk=item.plan.meeting_id).update(
        status="cooperation_ended"
    )
    assert client.get(url).status_code == 410


def test_the_page_is_in_swedish_with_the_language_switch(client, item):
    url = link_url(item)
    client.post(reverse("set_language"), {"language": "sv", "next": url})
    page = client.get(url).content.decode()
    assert '<html lang="sv">' in page
    assert "Din åtgärd" in page


# Acting by link -----------------------------------------------------------------------------


def test_the_owner_marks_it_done_and_the_worker_sees_it_and_is_told(
    client, client_as, item, alice, youth
):
    url = link_url(item)
    response = client.post(url, {"action": "done"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE and item.done_at
    change = item.changes.get(field="status")
    assert (change.changed_by, change.by_link.name) == (None, "Sari Tukihenkilö")
    told = Notification.objects.get(kind=Kind.OWNER_ITEM_UPDATED)
    assert told.recipient == alice and told.action_item == item
    assert AccessLog.objects.filter(youth=youth, action="change", actor__contains="Sari").exists()
    assert "was marked done" in client.get(url, **EN).content.decode()
    plan_page = client_as(alice).get(reverse("meetings:plan", args=[item.plan.meeting_id]))
    assert "Sari Tukihenkilö (linkillä)" in plan_page.content.decode()


def test_the_owner_says_why_not_and_proposes_a_date(client, client_as, item, alice):
    url = link_url(item)
    day = in_days(20)
    response = client.post(
        url, {"action": "propose", "reason": "Odotan päätöstä", "new_date": f"{day:%d.%m.%Y}"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "open" and item.due_date == in_days(7)  # the worker decides
    note = item.changes.get(field=ActionItemChange.Field.NOTE)
    assert (note.note, note.proposed_date, note.by_link.email) == (
        "Odotan päätöstä",
        day,
        "sari@example.fi",
    )
    assert Notification.objects.filter(kind=Kind.OWNER_ITEM_UPDATED, recipient=alice).exists()
    page = client_as(alice).get(reverse("meetings:plan", args=[item.plan.meeting_id]))
    assert f"ehdottaa {day:%-d.%-m.%Y}" in page.content.decode()


def test_why_not_without_a_reason_is_refused_next_to_the_field(client, item):
    response = client.post(link_url(item), {"action": "propose", "reason": "", "new_date": "1.2."})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert 'value="1.2."' in response.content.decode()  # nothing typed is lost
    assert not ActionItemChange.objects.filter(field="note").exists()


def test_a_past_date_is_refused(client, item):
    day = in_days(-1)
    response = client.post(
        link_url(item), {"action": "propose", "reason": "Ei ehtinyt", "new_date": f"{day:%d.%m.%Y}"}
    )
    assert response.status_code == 400
    assert "new_date" in response.context["form"].errors


def test_the_worker_notification_names_the_item_not_more(client, item, alice):
    client.post(link_url(item), {"action": "done"})
    notification = Notification.objects.get(kind=Kind.OWNER_ITEM_UPDATED)
    subject, body = notifications.text(notification)
    assert "Sari Tukihenkilö" in body and "Käy asuntotoimistossa" in body


# Reminders ----------------------------------------------------------------------------------


def test_reminders_for_due_and_overdue_items_carry_the_link(plan, support, alice):
    day = timezone.localdate() + datetime.timedelta(days=1)
    while not (is_working_day(day) and is_working_day(day + datetime.timedelta(days=1))):
        day += datetime.timedelta(days=1)
    due = day + datetime.timedelta(days=1)
    services.action_item_add(
        plan=plan, owner=support, what="Hakee asumistukea", due_date=due, by=alice
    )
    Notification.objects.all().delete()
    morning = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    with time_machine.travel(morning, tick=False):
        notifications.reminders_create()
        row = Notification.objects.get(kind=Kind.OWNER_ITEM_DUE)
        assert row.recipient_email == "sari@example.fi"
        notifications.reminders_create()  # a second sweep creates nothing more
        assert Notification.objects.filter(kind=Kind.OWNER_ITEM_DUE).count() == 1
        assert notifications.deliver(row.pk, "t") == "sent"
    [message] = [m for m in mail.outbox if m.to == ["sari@example.fi"]]
    assert "/link/" in message.body and f"{due:%-d.%-m.%Y}" in message.body
    later = due + datetime.timedelta(days=1)
    while not is_working_day(later):
        later += datetime.timedelta(days=1)
    at = timezone.make_aware(datetime.datetime.combine(later, datetime.time(9)))
    with time_machine.travel(at, tick=False):
        notifications.reminders_create()
        assert Notification.objects.filter(kind=Kind.OWNER_ITEM_OVERDUE).exists()


def test_a_reminder_is_skipped_once_the_item_is_done(item, alice):
    Notification.objects.filter(kind=Kind.OWNER_ITEM_LINK).update(status="pending")
    services.action_item_set_done(item=item, done=True, by=alice)
    assert deliver_all() == ["skipped"]
    assert not mail.outbox


def test_the_young_persons_access_report_names_the_outside_owner(client, client_as, item, youth):
    client.get(link_url(item))
    client.post(link_url(item), {"action": "done"})
    client.logout()
    response = client_as(item.plan.meeting.organiser).get(
        reverse("cases:access_report", args=[youth.pk])
    )
    rows = [r for r in response.context["rows"] if "Sari" in r.who]
    assert sorted(str(r.action) for r in rows) == ["Luettu", "Muutettu"]
    for row in rows:
        assert row.who == "Sari Tukihenkilö <sari@example.fi>"
        assert str(row.role) == "Tehtävän ulkopuolinen tekijä (ei käyttäjätiliä)"
        assert str(row.basis) == "Oma tehtävä, allekirjoitetulla linkillä"
    assert "Sari Tukihenkilö" in response.content.decode()


def test_the_worker_stops_the_links_sent_so_far(client, client_as, item, alice, youth):
    url = link_url(item)
    worker = client_as(alice)
    edit = reverse("meetings:item_edit", args=[item.plan.meeting_id, item.pk])
    assert "sari@example.fi" in worker.get(edit).content.decode()
    response = worker.post(
        reverse("meetings:item_links_stop", args=[item.plan.meeting_id, item.pk])
    )
    assert response.status_code == 302
    client.logout()
    assert client.get(url).status_code == 410
    # The next change sends a new link, which works.
    services.action_item_edit(
        item=item,
        what="Käy asuntotoimistossa huomenna",
        owner=item.owner,
        due_date=item.due_date,
        note="",
        version=item.version,
        by=alice,
    )
    assert client.get(link_url(item)).status_code == 200
