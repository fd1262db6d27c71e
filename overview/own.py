"""The young person's own page (issue 19), after strong identification (cases/own.py signs
them in). It reads across the apps — their meetings and plan (meetings), their consents (cases),
the open feedback survey (feedback), who has processed their data (the access log) — so it lives
at the top.

Only the signed-in young person's own records (`youth_ids` from the session), only what is meant
for them: never worker-only notes (the plan's summary, progress notes, cancel reasons), never the
identity code, never another young person's object (looked up within `youth_ids`: 404). Every
page view and download is in the access log with the basis "own data".
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases.models import Consent, YouthClient, add_years
from cases.own import own_required, own_session_end
from cases.reports import access_report_rows
from feedback.models import SurveyLink
from feedback.services import answer_path
from kelayhteistyo.access import access_log_own
from kelayhteistyo.models import AccessLog
from meetings import calendar, services
from meetings.models import ActionItem, FollowUpPlan, JointMeeting, Participant

# What each consent scope allows, in plain words (the young person's, not the worker's form).
SCOPE_PLAIN = {
    Consent.Scope.KELA_MEETING: gettext_lazy(
        "Your aftercare worker may invite a Kela worker to a meeting with you and tell them "
        "what is needed for the meeting."
    ),
    Consent.Scope.KELA_IDENTITY: gettext_lazy(
        "The Kela worker invited to your meeting may see your full name, date of birth, "
        "personal identity code and when your aftercare ends."
    ),
    Consent.Scope.SHARE_PLAN: gettext_lazy("The Kela worker may see the plan you made together."),
    Consent.Scope.CLIENT_PLAN: gettext_lazy(
        "What you agreed is written into your client plan in aftercare."
    ),
    Consent.Scope.REMINDERS: gettext_lazy("We may send you reminders by e-mail."),
    Consent.Scope.NETWORK: gettext_lazy(
        "The other people named for your meeting (for example a support person or an "
        "interpreter) may get the invitation, changes and reminders by e-mail."
    ),
    Consent.Scope.NETWORK_PLAN: gettext_lazy(
        "Those people may also get the plan you made together, in plain language, by e-mail."
    ),
    Consent.Scope.KELA_SPECIAL_SERVICE: gettext_lazy(
        "Your aftercare worker may ask Kela's special service to find out whether it can help "
        "you, and tell Kela what is needed for that."
    ),
}


@dataclass
class Person:
    name: str
    role: str


def _who_comes(meeting: JointMeeting) -> list[Person]:
    """First names and roles of those taking part; the young person is "you"."""
    people = []
    for p in meeting.participants.all():
        if p.kind == Participant.Kind.YOUNG_PERSON:
            people.append(Person(_("You"), ""))
        elif p.kind == Participant.Kind.AFTERCARE_WORKER:
            people.append(Person(p.user.first_name if p.user_id else p.name, _("aftercare")))
        elif p.kind == Participant.Kind.KELA_CONTACT:
            people.append(Person(p.user.first_name if p.user_id else p.name, _("Kela")))
        else:
            first = (p.name.split() or [""])[0]
            people.append(Person(first, p.role_title or p.organisation_name))
    return people


def _owner_text(item: ActionItem) -> str:
    """ "You will", "Kela will", "Anna will", "TE-palvelut will"."""
    if item.outside_service:
        return _("%(name)s will") % {"name": item.outside_service}
    kind = item.owner.kind
    if kind == Participant.Kind.YOUNG_PERSON:
        return _("You will")
    if kind == Participant.Kind.KELA_CONTACT:
        return _("Kela will")
    name = item.owner.user.first_name if item.owner.user_id else item.owner.name.split()[0]
    return _("%(name)s will") % {"name": name}


def _meetings(youth_ids):
    taking_part = Participant.objects.taking_part().select_related("user")
    return (
        JointMeeting.objects.filter(youth_id__in=youth_ids)
        .upcoming()
        .prefetch_related(Prefetch("participants", queryset=taking_part))
    )


def _plans(youth_ids):
    items = (
        ActionItem.objects.exclude(status=ActionItem.Status.CANCELLED)
        .select_related("owner__user")
        .order_by("due_date", "id")
    )
    return (
        FollowUpPlan.objects.filter(
            meeting__youth_id__in=youth_ids, meeting__status__in=JointMeeting.AWAITING_REVIEW
        )
        .select_related("meeting")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-meeting__starts_at")
    )


@require_GET
@never_cache
@own_required
def own_page(request, youth_ids):
    """What the young person sees: their next meetings, plan, consents, the open survey."""
    youth = YouthClient.objects.filter(pk__in=youth_ids).order_by("-created_at").first()
    meetings = [(m, _who_comes(m)) for m in _meetings(youth_ids)]
    plans = [
        (plan, [(item, _owner_text(item)) for item in plan.items.all()])
        for plan in _plans(youth_ids)
    ]
    consents = [
        (c, [SCOPE_PLAIN[Consent.Scope(name)] for name in Consent.SCOPES if getattr(c, name)])
        for c in Consent.objects.filter(youth_id__in=youth_ids).valid().order_by("-given_at")
    ]
    surveys = [
        answer_path(link)
        for link in SurveyLink.objects.open().filter(
            meeting__youth_id__in=youth_ids, participant__kind=Participant.Kind.YOUNG_PERSON
        )
    ]
    access_log_own(youth_ids=youth_ids, what="own_page")
    context = {
        "youth": youth,
        "meetings": meetings,
        "plans": plans,
        "consents": consents,
        "surveys": surveys,
        "signed_in": True,
    }
    return render(request, "own/page.html", context)


@require_GET
@never_cache
@own_required
def own_ics(request, pk, youth_ids):
    """One of their next meetings as a calendar file."""
    meeting = get_object_or_404(_meetings(youth_ids), pk=pk)
    access_log_own(
        youth_ids=[meeting.youth_id],
        what="own_ics",
        object_id=meeting.pk,
        action=AccessLog.Action.EXPORT,
    )
    body = calendar.meeting_ics(meeting, method=calendar.REQUEST, language=request.LANGUAGE_CODE)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tapaaminen.ics"'
    return response


@require_POST
@own_required
def own_item_done(request, pk, youth_ids):
    """They mark their own task done; the worker is told."""
    item = get_object_or_404(services.own_items(youth_ids), pk=pk)
    if item.status == ActionItem.Status.OPEN:
        services.own_item_done(item=item)
        messages.success(request, _("Marked done. Your worker sees it too."))
    return redirect("own:page")


@require_POST
@own_required
def own_item_help(request, pk, youth_ids):
    """ "I need help with this": the worker is told."""
    item = get_object_or_404(services.own_items(youth_ids), pk=pk)
    services.own_item_help(item=item)
    messages.success(request, _("Your worker has been told that you need help with this."))
    return redirect("own:page")


@require_POST
@own_required
def own_withdraw(request, pk, youth_ids):
    """ "I want to withdraw this": a request the worker acts on together with them."""
    consent = get_object_or_404(Consent.objects.filter(youth_id__in=youth_ids).valid(), pk=pk)
    services.own_withdrawal_request(consent=consent)
    messages.success(
        request,
        _(
            "Your worker has been told. They will go through it with you and record the "
            "withdrawal. Until then the consent is in force."
        ),
    )
    return redirect("own:page")


@require_GET
@never_cache
@own_required
def own_processed(request, youth_ids):
    """Who has processed my data: the access report, in plain words, for the last two years."""
    end = timezone.localdate()
    start = add_years(end, -2) + datetime.timedelta(days=1)
    rows = access_report_rows(youth_ids, start, end)  # read before this view is logged
    access_log_own(youth_ids=youth_ids, what="own_processed")
    return render(
        request,
        "own/processed.html",
        {"rows": rows, "start": start, "end": end, "signed_in": True},
    )


@require_POST
def own_logout(request):
    own_session_end(request)
    return redirect("own:login")
