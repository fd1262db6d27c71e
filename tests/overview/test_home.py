"""The worker's home page (issue 22.1): a time Kela proposed is shown first in its list, as
what the worker must do."""

import datetime

from django.utils import timezone

from meetings import services
from tests import factories as f


def test_a_proposed_time_is_first_among_the_invitations_waiting(
    client_as, alice, kela, youth, consent
):
    f.invited_meeting(
        youth=youth, organiser=alice, kela=kela, starts_at=timezone.now() + datetime.timedelta(1)
    )
    later = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    proposed = (timezone.localtime() + datetime.timedelta(days=4)).replace(
        hour=13, minute=0, second=0, microsecond=0
    )
    services.invitation_respond(
        participant=f.kela_participant(later, kela),
        answer="proposed",
        by=kela,
        message="Sopisiko tämä?",
        proposed_start=proposed,
    )
    response = client_as(alice).get("/")
    assert [m.pk for m in response.context["waiting"]][0] == later.pk
    assert f"Kela ehdotti aikaa {proposed:%-d.%-m. %H:%M} – hyväksy tai vastaa" in (
        response.content.decode()
    )
