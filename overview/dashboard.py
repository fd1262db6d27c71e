"""The coordinators' dashboard: the figures in words, and the page.

Aggregates only (`aggregates.py`), small numbers suppressed (`suppression.py`), the default view
computed ahead (`snapshots.py`).
"""

import datetime

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.models import SpecialServiceReferral, YouthClient
from feedback.models import Group
from kelayhteistyo.access import coordinator_required, scope_county
from meetings.models import Modality, Participant

from .aggregates import QUANTILES, ROUNDS_SHOWN
from .figures import Figure, figure_csv, filter_query
from .filters import Filters, default_filters
from .snapshots import dashboard_data
from .suppression import SMALL, share, share_beside, small, too_few


def speed_shown(speed: dict) -> dict:
    """The days as shown: percentiles of fewer than 5 meetings are suppressed like counts."""
    n = speed["n"]
    if n == 0:
        return {"n": 0, "median": "–", "p90": "–"}
    if n < SMALL:
        return {"n": n, "median": too_few(), "p90": too_few()}
    return {"n": n, **{q: round(speed[q], 1) for q in QUANTILES}}


def _month_name(iso: str) -> str:
    return date_format(datetime.date.fromisoformat(iso), "YEAR_MONTH_FORMAT")


def figures(data: dict) -> list[Figure]:
    """The dashboard's figures in the user's language, from the numbers of `aggregates`."""
    groups = dict(YouthClient.ClientGroup.choices)
    modalities = dict(Modality.choices)
    kinds = dict(Participant.Kind.choices)
    invitations, plans, reviews = data["invitations"], data["plans"], data["reviews"]
    speed = speed_shown(data["speed"])
    return [
        Figure(
            "youth",
            _("Young people in cooperation"),
            _(
                "Young people with at least one meeting (not cancelled) in the period, "
                "by client group."
            ),
            [_("Client group"), _("Young people")],
            [(groups.get(group, group), small(n)) for group, n in data["youth"]],
        ),
        Figure(
            "new",
            _("New young people per month"),
            _("Young people by the month of their first joint meeting (not cancelled)."),
            [_("Month"), _("New young people")],
            [(_month_name(r["month"]), small(r["n"])) for r in data["new"]],
            chart=True,
        ),
        Figure(
            "meetings",
            _("Meetings per month"),
            _(
                "Meetings by the month they were (or were to be) held, by modality; "
                "cancelled apart."
            ),
            [_("Month"), *modalities.values(), _("Cancelled")],
            [
                (
                    _month_name(r["month"]),
                    *(small(r.get(m, 0)) for m in modalities),
                    small(r["cancelled"]),
                )
                for r in data["meetings"]
            ],
            chart=True,
        ),
        Figure(
            "invitations",
            _("Invitations to Kela"),
            _(
                "Kela contacts invited to the meetings; accepted of those answered; a proposal of "
                "another time counts once even if later accepted."
            ),
            [
                _("Invited"),
                _("Answered"),
                _("Accepted"),
                _("Acceptance rate"),
                _("Another time proposed"),
            ],
            [
                (
                    small(invitations["invited"]),
                    small(invitations["answered"]),
                    small(invitations["accepted"]),
                    share_beside(invitations["accepted"], invitations["answered"]),
                    small(invitations["proposed"]),
                )
            ],
        ),
        Figure(
            "speed",
            _("How quickly young people get help"),
            _(
                "Days from the invitation to the meeting, for meetings not cancelled: "
                "the median and the 90th percentile. Meetings recorded afterwards had no "
                "invitation in the app: they are left out and counted apart."
            ),
            [
                _("Meetings"),
                _("Median (days)"),
                _("90th percentile (days)"),
                _("Recorded afterwards"),
            ],
            [(small(speed["n"]), speed["median"], speed["p90"], small(plans.get("afterwards", 0)))],
        ),
        Figure(
            "plans",
            _("Plans made"),
            _(
                "Held meetings and how many of them have a follow-up plan recorded; the share "
                "of the plans in which cooperation with Kela continues."
            ),
            [
                _("Held meetings"),
                _("With a plan"),
                _("Share"),
                _("Cooperation with Kela continues"),
            ],
            [
                (
                    small(plans["n"]),
                    small(plans["with_plan"]),
                    share_beside(plans["with_plan"], plans["n"]),
                    share(reviews["continues"], reviews["total"]),
                )
            ],
        ),
        Figure(
            "items",
            _("Who does what and when: are tasks done?"),
            _(
                "Action items of the plans by who owns them: done by the due date (or "
                "without one), done late, cancelled as not needed, overdue (open past the due "
                "date) and open. Each item is in one of these columns. Moved: items whose due "
                "date was changed at least once, whatever their state now."
            ),
            [
                _("Owner"),
                _("Done on time"),
                _("Done late"),
                _("Cancelled"),
                _("Overdue"),
                _("Open"),
                _("Moved"),
            ],
            [
                (
                    kinds.get(r["kind"], r["kind"]),
                    *(small(r[c]) for c in ("on_time", "late", "cancelled", "overdue", "open")),
                    small(r["moved"]),
                )
                for r in data["items"]
            ],
            chart=True,
            series=5,  # the moved items are also in another column: not stacked
        ),
        review_figure(reviews),
        Figure(
            "exports",
            _("Plans exported into the client plan"),
            _("Plans of the period exported at least once as the client plan document."),
            [_("Plans"), _("Exported"), _("Share")],
            [
                (
                    small(plans["with_plan"]),
                    small(data["exported"]),
                    share_beside(data["exported"], plans["with_plan"]),
                )
            ],
        ),
        transitions_figure(data.get("transitions", 0)),
        *kela_figures(data),
        headline_figure(data["again"]),
    ]


def kela_figures(data: dict) -> list[Figure]:
    """Kela as a partner (issue 18): answer times by Kela office (never by person), and the
    referrals to Kela's special service. Counts of 1–4 and times of fewer than 5 suppressed,
    as everywhere; no total beside parts that are suppressed (kela_figures)."""
    answers, requests, referrals = data["kela_answers"], data["requests"], data["referrals"]
    outcomes = dict(SpecialServiceReferral.Outcome.choices)
    assessed = speed_shown(referrals["assessed"])
    return [
        Figure(
            "kela_answers",
            _("How quickly Kela answers invitations"),
            _(
                "Invitations to Kela answered (accepted, declined or another time proposed), "
                "by Kela office (the organisation of the contact person invited), never by "
                "person: calendar days from the invitation to the answer (the same day is 0), "
                "the median and the 90th percentile. Meetings recorded afterwards and free "
                "times booked in one step had no invitation and are left out."
            ),
            [_("Kela office"), _("Answered"), _("Median (days)"), _("90th percentile (days)")],
            [
                (row["office"] or "–", small(shown["n"]), shown["median"], shown["p90"])
                for row in answers
                for shown in [speed_shown(row)]
            ],
        ),
        Figure(
            "requests",
            _("Cooperation requests from Kela"),
            _(
                "Requests sent in the period to the aftercare units of the scope, by the Kela "
                "office that sent them: answered by the unit (taken by a worker, or declined "
                "untaken), declined, and a joint meeting booked; calendar days from sending "
                "to the unit's first answer, the median and the 90th percentile. The client "
                "group and modality filters do not apply: a request has neither."
            ),
            [
                _("Kela office"),
                _("Sent"),
                _("Answered"),
                _("Declined by the unit"),
                _("Joint meeting booked"),
                _("Median (days)"),
                _("90th percentile (days)"),
            ],
            [
                (
                    row["office"] or "–",
                    small(row["sent"]),
                    small(shown["n"]),
                    small(row["declined"]),
                    small(row["booked"]),
                    shown["median"],
                    shown["p90"],
                )
                for row in requests
                for shown in [speed_shown(row["answer"])]
            ],
        ),
        Figure(
            "referrals",
            _("Referrals to Kela's special service"),
            _(
                "Referrals sent in the period for the young people of the scope, by where they "
                "stand now: waiting for Kela's assessment, or its outcome. No total is shown "
                "beside the parts, as it would give a part shown as “< 5” away. The modality "
                "filter does not apply."
            ),
            [_("State"), _("Referrals")],
            [
                (_("Waiting for the assessment"), small(referrals["waiting"])),
                *((outcomes[o], small(n)) for o, n in referrals["outcomes"].items()),
            ],
        ),
        Figure(
            "referral_speed",
            _("Time to the special service assessment"),
            _(
                "Calendar days from the referral to Kela's assessment, for the referrals of "
                "the period that have been assessed: the median and the 90th percentile "
                "(not shown for fewer than 5)."
            ),
            [_("Median (days)"), _("90th percentile (days)")],
            [(assessed["median"], assessed["p90"])],
        ),
    ]


def transitions_figure(unplanned: int) -> Figure:
    """Issue 17: aftercare ending soon without a plan for what comes next."""
    months = settings.TRANSITION_NOTICE_MONTHS
    return Figure(
        "transitions",
        _("Aftercare ending without a plan for what comes next"),
        _(
            "Young people whose aftercare ends within %(months)s months from today and for whom "
            "no follow-up plan records the service they move to. A count of today: the period "
            "and the modality filters do not apply."
        )
        % {"months": months},
        [_("Young people")],
        [(small(unplanned),)],
    )


def _round_label(number: int) -> str:
    if number >= ROUNDS_SHOWN:
        return _("Round %(n)s or later") % {"n": number}
    return _("Round %(n)s") % {"n": number}


def review_figure(reviews: dict) -> Figure:
    """Review rounds by round, each against the date agreed for it. No total beside the
    parts: with one part shown as "< 5", the total would give it away."""
    return Figure(
        "reviews",
        _("Reviews"),
        _(
            "Review rounds by round (the first review of a plan, the second, …), each "
            "against the date agreed for it: held on or before that date, held later, and "
            "overdue (the date has passed, not reviewed yet)."
        ),
        [_("Round"), _("Done on time"), _("Done late"), _("Overdue")],
        [
            (_round_label(r["round"]), small(r["on_time"]), small(r["late"]), small(r["overdue"]))
            for r in reviews["rounds"]
        ],
    )


def headline_figure(counts: dict) -> Figure:
    """The dashboard's feedback figure: would the participants take part again?"""
    return Figure(
        "again",
        _("Would take part in a similar meeting again"),
        _(
            "Answers to the feedback question “I would take part in a similar meeting again”, "
            "by respondent group, given in the whole quarters of the period that are over "
            "(every version of the survey). Counties and quarters with fewer than 5 answers "
            "are left out. The organisation, client group and modality filters do not apply: "
            "answers do not know them."
        ),
        [_("Respondent group"), _("Answers"), _("Yes")],
        [
            (label, small(counts.get(group, (0, 0))[0]), share(*counts.get(group, (0, 0))[::-1]))
            for group, label in Group.choices
        ],
    )


@require_GET
@coordinator_required
def dashboard(request):
    county = scope_county(request.user)
    form = Filters(request.GET or None, county=county)
    # Invalid filters (an unknown county, a reversed period) are explained next to the field,
    # and the figures are shown unfiltered.
    filters = form.cleaned_data if form.is_bound and form.is_valid() else default_filters()
    data, as_of = dashboard_data(county, filters)
    context = {
        "form": form,
        "figures": figures(data),
        "as_of": as_of,
        "computed_at": timezone.now(),
        "period": filters,
        "scope": county,
        "query": filter_query(request, form),
    }
    if request.GET.get("csv"):
        return figure_csv(context["figures"], request.GET["csv"], form, filters)
    return render(request, "dashboard.html", context)
