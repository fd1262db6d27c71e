# Dates are shown as 22.11.2026 in every language of the app, as Finnish services do.
DATE_FORMAT = "j.n.Y"
SHORT_DATE_FORMAT = "j.n.Y"
DATETIME_FORMAT = "j.n.Y H:i"
SHORT_DATETIME_FORMAT = "j.n.Y H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
# What may be typed into a date or time field: the same in every language (formats/__init__.py).
from kelayhteistyo.formats import DATE_INPUT_FORMATS, TIME_INPUT_FORMATS  # noqa: E402, F401
