"""Dates and times are typed and shown the Finnish way whatever the browser's locale (issue 19):
22.11.2026 and 14:00 in every language, with an example beside the field and a message next to it
when the input is not a date."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from kelayhteistyo.forms import DateField, TimeField
from meetings.forms import PlanForm
from meetings.models import JointMeeting
from tests.meetings.test_views import booking


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("22.11.2026", datetime.date(2026, 11, 22)),
        ("1.12.2026", datetime.date(2026, 12, 1)),
        ("01.02.2026", datetime.date(2026, 2, 1)),
        (" 1.12.26 ", datetime.date(2026, 12, 1)),
        ("2026-11-22", datetime.date(2026, 11, 22)),  # links and other systems send ISO dates
    ],
)
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_date_is_read_the_finnish_way_in_every_language(typed, expected, language):
    with override(language):
        assert DateField().clean(typed) == expected


@pytest.mark.parametrize("typed", ["12/03/2026", "31.2.2026", "22.11", "huomenna", "2026-22-11"])
def test_a_date_that_is_not_one_is_refused_with_the_format(typed):
    with override("en"), pytest.raises(Exception, match=r"for example 22\.11\.2026") as refused:
        DateField().clean(typed)
    assert refused.typename == "ValidationError"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("14:00", (14, 0)), ("9.00", (9, 0)), ("9:30", (9, 30)), ("9", (9, 0)), ("08:15:00", (8, 15))],
)
def test_a_time_is_read_on_the_24_hour_clock(typed, expected):
    with override("en"):
        assert TimeField().clean(typed) == datetime.time(*expected)


@pytest.mark.parametrize("typed", ["10:00 AM", "25:00", "14:75", "noon"])
def test_a_time_that_is_not_one_is_refused_with_the_format(typed):
    with override("sv"), pytest.raises(Exception, match=r"till exempel 14:00"):
        TimeField().clean(typed)


def test_the_field_shows_the_finnish_format_and_an_example_in_every_language():
    with override("en"):
        date_html = DateField().widget.render("day", datetime.date(2026, 12, 3))
        time_html = TimeField().widget.render("at", datetime.time(9, 5))
        assert str(DateField().help_text) == "e.g. 22.11.2026"
    assert 'type="text"' in date_html and 'value="3.12.2026"' in date_html
    assert 'value="09:05"' in time_html
    with override("fi"):
        assert str(TimeField().help_text) == "esim. 14:00"


def test_help_text_set_by_a_form_comes_after_the_example(meeting):
    form = PlanForm(meeting=meeting)
    with override("en"):
        assert str(form.fields["review_date"].help_text) == (
            "e.g. 22.11.2026 – When do you check together how things went?"
        )


def test_a_meeting_is_booked_with_finnish_dates_in_an_english_session(
    client_as, alice, youth, consent, kela
):
    alice.preferred_language = "en"
    alice.save()
    day = timezone.localdate() + datetime.timedelta(days=8)
    data = booking(kela, day=f"{day.day}.{day.month}.{day.year}", start_time="9.30", end_time="11")
    response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    meeting = JointMeeting.objects.get()
    assert timezone.localtime(meeting.starts_at).replace(tzinfo=None) == datetime.datetime.combine(
        day, datetime.time(9, 30)
    )
    assert meeting.duration_minutes == 90

    edit = client_as(alice).get(reverse("meetings:edit", args=[meeting.pk])).content.decode()
    assert f'value="{day.day}.{day.month}.{day.year}"' in edit
    assert 'value="09:30"' in edit
    assert "e.g. 22.11.2026" in edit and 'type="date"' not in edit and 'type="time"' not in edit


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Enter the date as day.month.year, for example 22.11.2026."),
        ("fi", "Kirjoita päivämäärä muodossa päivä.kuukausi.vuosi, esimerkiksi 22.11.2026."),
        ("sv", "Skriv datumet som dag.månad.år, till exempel 22.11.2026."),
    ],
)
def test_a_us_date_is_refused_next_to_the_field_and_nothing_is_lost(
    client_as, alice, youth, consent, kela, language, message
):
    alice.preferred_language = language
    alice.save()
    data = booking(kela, day="12/03/2026")
    response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["day"] == [message]
    assert not JointMeeting.objects.exists()
    page = response.content.decode()
    assert 'value="12/03/2026"' in page  # what was typed stays, to be corrected
    assert "Saanko opintolainaa?" in page
