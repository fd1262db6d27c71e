"""Small numbers are not shown: nobody may be recognised from a figure.

Counts of 1–4 show as "< 5"; shares, averages and times computed from fewer than 5 cases are
withheld and say so in words. Every page of figures (the dashboard, the feedback results) uses
these, so the rule has one home.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext as _

SMALL = 5


def small(n):
    """A count as shown: 1–4 are suppressed."""
    return _("< 5") if 0 < n < SMALL else n


def too_few() -> str:
    """A share, average or time computed from 1–4 cases: withheld, and said so in words (a bare
    "< 5" in a share column would read as "under 5 %")."""
    return _("not shown (< 5)")


def share(part, whole):
    if whole < SMALL or part is None:
        return too_few() if whole else "–"
    return f"{round(100 * part / whole)} %"


def share_beside(part, whole):
    """A share in a row that shows its part and whole as counts: withheld when the part shows
    as "< 5", which the share would give away (4 of 5 is 80 %)."""
    return too_few() if 0 < part < SMALL else share(part, whole)


def average_shown(n: int, average: float | None, *, percent: bool = False) -> str:
    """An average of `n` answers (a share of yes when `percent`), withheld under 5."""
    if n < SMALL:
        return too_few() if n else "–"
    return f"{round(100 * average)} %" if percent else number_format(average, 1)
