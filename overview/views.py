"""The pages that read across the apps: each role's home page and the subject-access export."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.forms import ConsentWithdrawForm
from cases.views import youth_or_404
from kelayhteistyo.access import (
    access_log_write,
    any_member,
    recent_login_required,
    worker_required,
)
from kelayhteistyo.models import AccessLog, User
from kelayhteistyo.pdf import render_pdf
from meetings import services as meeting_services
from meetings.models import JointMeeting, Participant

from . import worklists
from .subject_access import youth_data_json, youth_data_readable


@require_GET
@login_required
def home(request):
    """The start page of each role: the first rows of each list, what needs attention first."""
    user = request.user
    if not (user.is_aftercare_worker or user.is_kela_contact):
        return render(request, "home_coordinator.html")
    organisation = _whole_organisation(request)
    sections = worklists.home_sections(user, organisation)
    # One insert for all: the young people shown and the cooperation requests.
    worklists.log_shown(user, "home", [(s.list, s.rows) for s in sections.values()])
    context = {key: section.rows for key, section in sections.items()}
    context |= {"sections": sections, "organisation": organisation, "today": timezone.localdate()}
    template = "home_worker.html" if user.is_aftercare_worker else "home_kela.html"
    return render(request, template, context)


def _whole_organisation(request) -> bool:
    """A worker's lists cover their own young people unless the whole organisation is asked."""
    return request.user.is_aftercare_worker and request.GET.get("scope") == worklists.ORGANISATION


@require_GET
@any_member
def work_list(request, key):
    """One list of the home page in full, a page at a time (`?page=`, `?scope=` kept)."""
    work_list = worklists.lists_of(request.user).get(key)
    if work_list is None:
        raise Http404
    organisation = _whole_organisation(request)
    page = worklists.list_page(work_list, request.user, organisation, request.GET.get("page"))
    shown = work_list.present(list(page.object_list))
    worklists.log_shown(request.user, "home_list", [(work_list, shown)])
    context = {
        "list": work_list,
        "page": page,
        "rows": shown,
        "organisation": organisation,
        "today": timezone.localdate(),
    }
    return render(request, "overview/work_list.html", context)


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
