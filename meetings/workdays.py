"""Finnish working days: weekends and the public holidays of Finland (the holidays package) are
days off. Reminders are created on working days only; the meeting form names a day off."""

import datetime
from functools import cache

import holidays
from django.utils.formats import date_format

from kelayhteistyo.models import active_language

# The languages of the service in the holidays package's names.
HOLIDAY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


@cache
def _finnish_holidays(year: int, language: str = "fi") -> holidays.HolidayBase:
    return holidays.Finland(years=year, language=HOLIDAY_LANGUAGES.get(language, "fi"))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _finnish_holidays(day.year)


def day_off_name(day: datetime.date) -> str | None:
    """The public holiday or weekday name of a day that is not a working day, in the active
    language; None for a working day."""
    if is_working_day(day):
        return None
    return _finnish_holidays(day.year, active_language()).get(day) or date_format(day, "l")


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `day` (n < 0: before)."""
    step = 1 if n >= 0 else -1
    for _step in range(abs(n)):
        day += datetime.timedelta(days=step)
        while not is_working_day(day):
            day += datetime.timedelta(days=step)
    return day
