"""The pages that read across the apps: each role's home page and the subject-access export."""

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import F, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.forms import ConsentWithdrawForm
from cases.models import YouthClient
from cases.views import youth_or_404
from feedback import services as feedback
from feedback.models import SurveyLink
from kelayhteistyo.access import (
    access_log_page,
    access_log_write,
    recent_login_required,
    worker_required,
)
from kelayhteistyo.models import AccessLog, User
from kelayhteistyo.pdf import render_pdf
from meetings import services as meeting_services
from meetings.models import ActionItem, FollowUpPlan, JointMeeting, Participant

from .subject_access import youth_data_json, youth_data_readable

REVIEWS_DUE_WITHIN = datetime.timedelta(days=14)


@require_GET
@login_required
def home(request):
    """The start page of each role."""
    user = request.user
    if user.is_aftercare_worker:
        return _worker_home(request)
    if user.is_kela_contact:
        return _kela_home(request)
    return render(request, "home_coordinator.html")


# The home pages' lists of young people's data, and how to find the young person of a row.
WORKER_LISTS = {
    "youth_clients": lambda youth: youth.pk,
    "upcoming": lambda meeting: meeting.youth_id,
    "to_record": lambda meeting: meeting.youth_id,
    "waiting": lambda meeting: meeting.youth_id,
    "overdue_items": lambda item: item.plan.meeting.youth_id,
    "reviews_due": lambda plan: plan.meeting.youth_id,
}
KELA_LISTS = {
    "to_answer": lambda meeting: meeting.youth_id,
    "upcoming": lambda meeting: meeting.youth_id,
    "my_items": lambda item: item.plan.meeting.youth_id,
}


def _log_shown(request, context: dict, lists: dict) -> None:
    """The home page shows young people's data: one access-log row per young person shown.
    The lists are read here once (the template iterates the same rows)."""
    youth_ids = []
    for key, youth_of in lists.items():
        context[key] = list(context[key])
        youth_ids += [youth_of(row) for row in context[key]]
    access_log_page(user=request.user, page="home", youth_ids=youth_ids)


def _worker_home(request):
    user, today = request.user, timezone.localdate()
    meetings = JointMeeting.objects.visible_to(user).select_related("youth")
    items = ActionItem.objects.filter(
        plan__meeting__in=meetings, status=ActionItem.Status.OPEN, due_date__lt=today
    ).select_related("owner__user", "plan__meeting__youth")
    proposals = Participant.objects.filter(
        meeting=OuterRef("pk"),
        kind=Participant.Kind.KELA_CONTACT,
        status=Participant.Status.PROPOSED,
    ).order_by("-responded_at")
    plans = FollowUpPlan.objects.filter(
        meeting__in=meetings, review_date__lte=today + REVIEWS_DUE_WITHIN
    ).select_related("meeting__youth")
    context = {
        "youth_clients": YouthClient.objects.visible_to(user).filter(
            responsible_worker=user, status=YouthClient.Status.ACTIVE
        ),
        "upcoming": meetings.upcoming()[:20],
        # Held (or past and confirmed) but no plan yet: the worker's next step. A held review
        # meeting waits for its review; once recorded (on the plan it reviews), nothing.
        "to_record": meetings.filter(
            Q(status=JointMeeting.Status.HELD)
            | Q(status=JointMeeting.Status.CONFIRMED, starts_at__lt=timezone.now())
        )
        .filter(held_review__isnull=True)
        .order_by("starts_at")[:50],
        # A time Kela proposed waits for the worker: those first, saying so.
        "waiting": meetings.filter(status=JointMeeting.Status.INVITED)
        .filter(
            participants__kind=Participant.Kind.KELA_CONTACT,
            participants__status__in=[Participant.Status.PENDING, Participant.Status.PROPOSED],
        )
        .annotate(proposed_start=Subquery(proposals.values("proposed_start")[:1]))
        .distinct()
        .order_by(F("proposed_start").asc(nulls_last=True), "starts_at"),
        "overdue_items": items.order_by("due_date")[:50],
        "reviews_due": plans.order_by("review_date")[:50],
        "feedback_to_give": _feedback_to_give(user),
        "today": today,
    }
    _log_shown(request, context, WORKER_LISTS)
    return render(request, "home_worker.html", context)


def _kela_home(request):
    user = request.user
    meetings = JointMeeting.objects.visible_to(user).select_related("youth")
    mine = Participant.objects.filter(user=user)
    context = {
        "to_answer": meetings.filter(
            status=JointMeeting.Status.INVITED,
            participants__in=mine.filter(status=Participant.Status.PENDING),
        ).order_by("starts_at"),
        # Those still to answer are listed above, not twice.
        "upcoming": meetings.filter(
            participants__in=mine.exclude(
                status__in=[Participant.Status.DECLINED, Participant.Status.PENDING]
            )
        ).upcoming(),
        "my_items": ActionItem.objects.filter(
            owner__in=mine, plan__meeting__in=meetings, status=ActionItem.Status.OPEN
        )
        .select_related("plan__meeting__youth")
        .order_by("due_date"),
        "feedback_to_give": _feedback_to_give(user),
        "today": timezone.localdate(),
    }
    _log_shown(request, context, KELA_LISTS)
    return render(request, "home_kela.html", context)


def _feedback_to_give(user) -> list[dict]:
    """The user's own unused survey links (they are also sent by e-mail)."""
    links = (
        SurveyLink.objects.open()
        .filter(participant__user=user)
        .select_related("meeting")
        .order_by("-meeting__starts_at")[:20]
    )
    return [{"link": link, "path": feedback.answer_path(link)} for link in links]


@require_GET
@worker_required
@recent_login_required
def data_export(request, pk):
    """All of the young person's data as JSON (or ?format=pdf, to read), for a subject-access
    request; logged as an export."""
    youth = youth_or_404(request, pk)
    name = f"yhteistyo-{timezone.localdate():%Y%m%d}-{str(youth.pk)[:8]}"
    if request.GET.get("format") == "pdf":
        context = {
            "youth": youth,
            "sections": youth_data_readable(youth),
            "user": request.user,
            "now": timezone.now(),
        }
        body = render_pdf("cases/data_export_pdf.html", context)
        content_type, name = "application/pdf", f"{name}.pdf"
    else:
        body = youth_data_json(youth)
        content_type, name = "application/json; charset=utf-8", f"{name}.json"
    access_log_write(
        user=request.user, youth_id=youth.pk, action=AccessLog.Action.EXPORT, obj=youth
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@worker_required
def consent_withdraw_confirm(request, pk, consent_pk):
    """Before a consent is withdrawn: what will happen — the meetings cancelled, the Kela
    contacts whose access ends — and the button that does it (cases:consent_withdraw)."""
    youth = youth_or_404(request, pk)
    consent = get_object_or_404(youth.consents.filter(withdrawn_at__isnull=True), pk=consent_pk)
    ends_access = meeting_services.withdrawal_ends_kela_access(consent)
    kela = []
    if ends_access:
        invitations = (
            Participant.objects.taking_part()
            .filter(kind=Participant.Kind.KELA_CONTACT, meeting__youth=youth)
            .exclude(meeting__status=JointMeeting.Status.DRAFT)
        )
        kela = (
            User.objects.filter(participations__in=invitations)
            .distinct()
            .order_by("last_name", "first_name")
        )
    access_log_write(
        user=request.user, youth_id=youth.pk, action=AccessLog.Action.READ, obj=consent
    )
    context = {
        "youth": youth,
        "consent": consent,
        "cancels": meeting_services.withdrawal_cancels(consent),
        "ends_access": ends_access,
        "kela": kela,
        "form": ConsentWithdrawForm(),
    }
    return render(request, "cases/consent_withdraw_confirm.html", context)
