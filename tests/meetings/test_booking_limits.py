"""Bad management data on the booking form (issue 15.7): a forged count neither runs for
seconds nor gives a 500; the worker sees a message and keeps what was typed."""

import pytest
from django.urls import reverse

from meetings.models import JointMeeting
from tests.meetings.test_views import booking


@pytest.mark.parametrize("total", ["1000000", "abc"])
@pytest.mark.parametrize("action", ["invite", "search"])
def test_a_forged_row_count_is_refused_quickly_with_a_message(
    client_as, alice, kela, youth, consent, total, action
):
    data = booking(kela, **{"others-TOTAL_FORMS": total, "action": action})
    response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
    assert response.status_code == 200
    # The count is not believed: at most the ten rows the form allows are ever built (a
    # million forms would take seconds), whatever the machine's speed.
    assert len(response.context["others"].forms) <= 10
    assert not JointMeeting.objects.exists()
    page = response.content.decode()
    assert "Opintotuki kuntoon" in page  # what was typed stays
    if action == "invite":
        assert response.context["others"].non_form_errors()
        assert 'role="alert"' in page
