"""Messages shown after an action quote the plan's text; they stay on the server (issue 15,
finding 11): a cookie would carry the text of an action item to the browser and back."""

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.urls import reverse

from meetings import services
from tests import factories as f

WHAT = "Hakee toimeentulotukea Kelasta"


def readable(cookie) -> str:
    """The cookie's value, with the messages in it if it is Django's messages cookie (signed and
    compressed: the text does not show in the raw value)."""
    stored = CookieStorage(HttpRequest())._decode(cookie.value)
    return cookie.value + " ".join(str(m) for m in stored or ())


@pytest.mark.parametrize("who", ["alice", "kela"])
def test_marking_an_item_done_sends_its_text_in_no_cookie(
    client_as, request, youth, alice, kela, consent, who
):
    held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    plan = services.plan_save(
        meeting=held, fields={"summary": "Yhteenveto"}, version=None, by=alice
    )
    item = services.action_item_add(
        plan=plan, owner=f.kela_participant(held, kela), what=WHAT, due_date=None, by=alice
    )
    client = client_as(request.getfixturevalue(who))
    url = reverse("meetings:item_toggle", args=[held.pk, item.pk])
    done = client.post(url, {"done": "1"})
    shown = client.get(done["Location"])
    assert WHAT in shown.content.decode()  # the message itself is still shown
    for response in (done, shown):
        for cookie in response.cookies.values():
            assert WHAT not in readable(cookie), cookie.key
