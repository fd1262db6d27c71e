import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kelayhteistyo.access import (
    access_log_page,
    access_log_request,
    access_log_write,
    get_visible_or_404,
    recent_login_required,
    worker_required,
)
from kelayhteistyo.forms import DateField
from kelayhteistyo.models import AccessLog
from kelayhteistyo.pdf import render_pdf

from .forms import ConsentForm, ConsentWithdrawForm, YouthForm
from .models import Consent, CooperationRequest, OwnLightLink, YouthClient, add_years
from .reports import access_report_rows
from .services import (
    consent_record,
    consent_withdraw,
    cooperation_request_link,
    light_door_close,
    light_link_send,
    youth_save,
)

PAGE_SIZE = 50


def youth_or_404(request, pk) -> YouthClient:
    """The young person, if the user may see them (else 404, the attempt logged)."""
    return get_visible_or_404(request, YouthClient.objects.all(), youth_field="pk", pk=pk)


def _shown(request, youth: YouthClient) -> None:
    """A page that shows the young person's data is a read of it."""
    access_log_write(user=request.user, youth_id=youth.pk, action=AccessLog.Action.READ, obj=youth)


@require_GET
@worker_required
def youth_list(request):
    """The young people of the worker's organisation, searchable by name."""
    q = request.GET.get("q", "").strip()[:100]
    youth = YouthClient.objects.visible_to(request.user).select_related("responsible_worker")
    for word in q.split()[:4]:
        youth = youth.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    page = Paginator(youth, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log_page(user=request.user, page="youth_list", youth_ids=[y.pk for y in page])
    return render(request, "cases/youth_list.html", {"page": page, "q": q})


@require_http_methods(["GET", "POST"])
@worker_required
def youth_create(request):
    """Add a young person's record; from a cooperation request (`cooperation_request`), with
    the name and date of birth Kela gave, and the request linked to the new record."""
    coop = _request_to_link(request)
    initial = {}
    if coop is not None:
        initial = {f: getattr(coop, f) for f in ("first_name", "last_name", "date_of_birth")}
    form = YouthForm(request.POST or None, user=request.user, initial=initial)
    if form.is_valid():
        with transaction.atomic():
            youth = youth_save(youth=form.save(commit=False), by=request.user)
            if coop is not None:
                cooperation_request_link(request=coop, youth=youth, by=request.user)
        messages.success(request, _("The young person was added."))
        return redirect("cases:detail", pk=youth.pk)
    return render(request, "cases/youth_form.html", {"form": form, "coop": coop})


def _request_to_link(request) -> CooperationRequest | None:
    """The cooperation request a new record is created for: taken by this worker and not yet
    linked to a record (else 404)."""
    pk = request.POST.get("cooperation_request") or request.GET.get("cooperation_request")
    if not pk:
        return None
    try:
        uuid.UUID(pk)
    except ValueError:
        raise Http404 from None
    coop = get_object_or_404(
        CooperationRequest.objects.visible_to(request.user).waiting(),
        pk=pk,
        status=CooperationRequest.Status.TAKEN,
        taken_by=request.user,
        youth__isnull=True,
    )
    access_log_request(
        user=request.user, action=AccessLog.Action.READ, requests=[coop], what=coop.LOG_OBJECT
    )
    return coop


@require_GET
@worker_required
def youth_detail(request, pk):
    """A young person's record: consents and joint meetings."""
    youth = youth_or_404(request, pk)
    access_log_write(user=request.user, youth_id=youth.pk, action=AccessLog.Action.READ, obj=youth)
    # Kela's requests about them that still hold their data (issue 18), each read logged.
    requests = list(youth.cooperation_requests.not_erased().select_related("sent_by"))
    access_log_request(
        user=request.user,
        action=AccessLog.Action.READ,
        requests=requests,
        what=CooperationRequest.LOG_LIST,
    )
    context = {
        "youth": youth,
        "cooperation_requests": requests,
        "special_referrals": youth.special_service_referrals.all(),
        "consents": youth.consents.select_related("recorded_by", "withdrawn_by"),
        "current_consent": youth.current_consent(),
        "kela_sees_identity": youth.discloses_identity_to_kela(),
        "meetings": youth.meetings.all(),
        "handovers": youth.handovers.select_related("from_worker", "to_worker", "recorded_by"),
        # The light door (issue 19): why a link cannot be sent by each channel, or "".
        "light_refusals": {c: youth.light_link_refusal(c) for c in OwnLightLink.Channel.values},
        "light_last": youth.light_links.door_open().select_related("sent_by").first(),
    }
    return render(request, "cases/youth_detail.html", context)


@require_http_methods(["GET", "POST"])
@worker_required
def youth_edit(request, pk):
    """Change a young person's record."""
    youth = youth_or_404(request, pk)
    form = YouthForm(request.POST or None, instance=youth, user=request.user)
    if form.is_valid():
        youth_save(youth=form.save(commit=False), by=request.user)
        messages.success(request, _("The changes were saved."))
        return redirect("cases:detail", pk=youth.pk)
    _shown(request, youth)  # the form shows the record: date of birth, contact details
    return render(request, "cases/youth_form.html", {"form": form, "youth": youth})


@require_http_methods(["GET", "POST"])
@worker_required
def consent_create(request, pk):
    """Record a new consent of the young person."""
    youth = youth_or_404(request, pk)
    form = ConsentForm(request.POST or None, instance=Consent(youth=youth))
    if form.is_valid():
        consent = consent_record(consent=form.save(commit=False), by=request.user)
        messages.success(request, _("The consent was recorded."))
        # Consents are never changed, so an earlier one stays valid: say so, since a worker who
        # records a narrower consent usually means it to replace the earlier one.
        if youth.consents.valid().exclude(pk=consent.pk).exists():
            messages.warning(
                request,
                _(
                    "An earlier consent is still valid. If the new consent replaces it, "
                    "withdraw the earlier one below."
                ),
            )
        return redirect("cases:detail", pk=youth.pk)
    _shown(request, youth)
    return render(request, "cases/consent_form.html", {"form": form, "youth": youth})


@require_POST
@worker_required
def consent_withdraw_view(request, pk, consent_pk):
    """Withdraw a consent: pending invitations are cancelled and Kela's access ends."""
    youth = youth_or_404(request, pk)
    consent = get_object_or_404(youth.consents, pk=consent_pk)
    form = ConsentWithdrawForm(request.POST)
    if form.is_valid():
        try:
            withdrawal = consent_withdraw(
                consent=consent, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _withdrawn_message(withdrawal.cancelled))
    return redirect("cases:detail", pk=youth.pk)


def _withdrawn_message(cancelled: list) -> str:
    """What the withdrawal did, in words: which meetings were cancelled."""
    if not cancelled:
        return _("The consent was withdrawn.")
    when = ", ".join(
        date_format(timezone.localtime(m.starts_at), "SHORT_DATETIME_FORMAT") for m in cancelled
    )
    return ngettext(
        "The consent was withdrawn. The joint meeting on %(when)s was cancelled, the "
        "participants were told and Kela no longer sees it.",
        "The consent was withdrawn. The joint meetings on %(when)s were cancelled, the "
        "participants were told and Kela no longer sees them.",
        len(cancelled),
    ) % {"when": when}


class ReportPeriodForm(forms.Form):
    start = DateField(label=gettext_lazy("From"), required=False)
    end = DateField(label=gettext_lazy("To"), required=False)

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        cleaned["end"] = cleaned.get("end") or today
        cleaned["start"] = cleaned.get("start") or add_years(cleaned["end"], -2)
        if cleaned["start"] > cleaned["end"]:
            self.add_error("start", _("The start of the period is after its end."))
        return cleaned


@require_GET
@worker_required
@recent_login_required
def access_report(request, pk):
    """ "Who has processed my data" (Act 703/2023): every access to and disclosure of the young
    person's data in a period (default the last two years), to hand over on request."""
    youth = youth_or_404(request, pk)
    form = ReportPeriodForm(request.GET or {})
    rows = ()
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = access_report_rows([youth.pk], start, end)  # before this report is logged
    as_pdf = request.GET.get("format") == "pdf" and form.is_valid()
    action = AccessLog.Action.EXPORT if as_pdf else AccessLog.Action.READ
    # Producing the report is logged as such, not as a read of the record.
    access_log_page(user=request.user, page="accessreport", youth_ids=[youth.pk], action=action)
    context = {
        "youth": youth,
        "form": form,
        "rows": rows,
        "period": form.cleaned_data if form.is_valid() else None,
        "now": timezone.now(),
        "user": request.user,
    }
    if as_pdf:
        response = HttpResponse(
            render_pdf("cases/access_report_pdf.html", context), content_type="application/pdf"
        )
        name = f"kasittelyt-{timezone.localdate():%Y%m%d}-{str(youth.pk)[:8]}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "cases/access_report.html", context)


@require_POST
@worker_required
def light_link_send_view(request, pk):
    """Send the young person a light-door link by e-mail or text message (issue 19)."""
    youth = youth_or_404(request, pk)
    channel = request.POST.get("channel")
    if channel not in OwnLightLink.Channel.values:
        return HttpResponseBadRequest()
    try:
        link = light_link_send(youth=youth, channel=channel, by=request.user)
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(
            request,
            _("The link was sent to %(address)s. It works once, for %(hours)s hours.")
            % {"address": link.address, "hours": settings.OWN_LIGHT_LINK_HOURS},
        )
    return redirect(f"{reverse('cases:detail', args=[youth.pk])}#own-page-access")


@require_POST
@worker_required
def light_door_close_view(request, pk):
    """Turn the light door off: every link and light session of the young person ends."""
    youth = youth_or_404(request, pk)
    light_door_close(youth=youth, by=request.user)
    messages.success(
        request, _("The light door is off: the links sent and the pages open with them ended.")
    )
    return redirect(f"{reverse('cases:detail', args=[youth.pk])}#own-page-access")
