"""A network member's feedback group follows their role (issue 17): a support person or a family
member answers as the young person's own people, the others as professionals; one with an
address gets the link by e-mail when the consent covers messages to the network."""

import pytest
from django.core import mail

from cases.models import Consent
from feedback import services as feedback
from feedback.models import Group, LinkCount, Survey, group_of
from meetings import notifications, services
from meetings.models import Notification, Participant
from tests import factories as f


def held_with(youth, alice, kela, *members):
    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    added = [
        services.network_member_add(meeting=meeting, by=alice, fields=fields) for fields in members
    ]
    services.invitation_respond(
        participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
    )
    services.meeting_mark_held(meeting=f.move_into_past(meeting), by=alice)
    return meeting, added


@pytest.mark.parametrize(
    "role, group",
    [
        ("support_person", Group.OWN_PEOPLE),
        ("family_member", Group.OWN_PEOPLE),
        ("interpreter", Group.OTHER),
        ("immigrant_services", Group.OTHER),
        ("school", Group.OTHER),
        ("health_care", Group.OTHER),
        ("employment_services", Group.OTHER),
        ("other_professional", Group.OTHER),
        ("", Group.OTHER),  # named before the roles existed: as before
    ],
)
def test_the_group_follows_the_role(role, group):
    assert group_of(Participant(kind="other", network_role=role)) == group


def test_the_other_kinds_keep_their_groups():
    assert group_of(Participant(kind="young_person")) == Group.YOUNG_PERSON
    assert group_of(Participant(kind="kela_contact")) == Group.KELA


def test_links_are_made_in_the_groups_of_the_roles_and_counted_there(youth, alice, kela, consent):
    arabic = f.language("ar")
    meeting, (support, interpreter) = held_with(
        youth,
        alice,
        kela,
        {"name": "Tiina", "network_role": "support_person"},
        {"name": "Ali", "network_role": "interpreter", "interpreter_language": arabic},
    )
    links = {link.participant_id: link.group for link in meeting.survey_links.all()}
    assert links[support.pk] == Group.OWN_PEOPLE
    assert links[interpreter.pk] == Group.OTHER
    counted = dict(LinkCount.objects.values_list("group", "n"))
    assert counted[Group.OWN_PEOPLE] == 1 and counted[Group.OTHER] == 1


def test_the_own_people_have_a_survey_of_their_own(youth, alice, kela, consent, client):
    meeting, (support,) = held_with(
        youth, alice, kela, {"name": "Tiina", "network_role": "family_member"}
    )
    link = meeting.survey_links.get(participant=support)
    survey = Survey.objects.get(group=Group.OWN_PEOPLE, is_current=True)
    page = client.get(feedback.answer_path(link))
    assert page.status_code == 200
    assert page.context["survey"] == survey
    assert "Olit mukana nuoren tukena" in page.content.decode()


def test_a_removed_member_gets_no_link(youth, alice, kela, consent):
    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    member = services.network_member_add(
        meeting=meeting, by=alice, fields={"name": "Tiina", "network_role": "support_person"}
    )
    services.network_member_remove(participant=member, by=alice)
    services.invitation_respond(
        participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
    )
    services.meeting_mark_held(meeting=f.move_into_past(meeting), by=alice)
    assert not meeting.survey_links.filter(participant=member).exists()


def test_a_member_with_address_and_scope_gets_the_link_by_email(youth, alice, kela, consent):
    Consent.objects.filter(pk=consent.pk).update(scope_network=True)
    meeting, (support, silent) = held_with(
        youth,
        alice,
        kela,
        {"name": "Tiina", "network_role": "support_person", "email": "tiina@example.org"},
        {"name": "Ei osoitetta", "network_role": "school"},
    )
    requests = Notification.objects.filter(kind=Notification.Kind.FEEDBACK_REQUEST)
    assert set(requests.exclude(participant=None).values_list("participant", flat=True)) == {
        support.pk
    }
    for n in requests:
        notifications.deliver(n.pk, "t")
    (message,) = [m for m in mail.outbox if m.to == ["tiina@example.org"]]
    link = meeting.survey_links.get(participant=support)
    assert feedback.answer_url(link) in message.body
    assert "Hei" not in message.body  # the text for adults, not the young person's
