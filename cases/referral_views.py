"""Referrals to Kela's special service (erityispalvelu, issue 18): the worker asks from the
young person's record, with the consent scope for it; Kela (the contact named, or any contact
of the county while none is) takes it, records the assessment and, at the end, the hand-over.
The referring organisation sees each step while the consent holds; Kela sees the referral only
while it holds (SpecialServiceReferralQuerySet.visible_to)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kelayhteistyo.access import (
    access_log_write,
    any_member,
    get_visible_or_404,
    kela_required,
    worker_required,
)
from kelayhteistyo.forms import add_errors
from kelayhteistyo.models import AccessLog

from . import services
from .forms import SpecialAssessmentForm, SpecialEndForm, SpecialReferralForm
from .models import SpecialServiceReferral
from .views import youth_or_404


def referral_or_404(request, pk) -> SpecialServiceReferral:
    referrals = SpecialServiceReferral.objects.select_related(
        "youth", "referred_by", "named_contact", "taken_by", "special_contact", "county"
    )
    return get_visible_or_404(request, referrals, youth_field="youth_id", pk=pk)


@require_http_methods(["GET", "POST"])
@worker_required
def referral_create(request, pk):
    """Ask Kela to assess the need for the special service (refused without the consent)."""
    youth = youth_or_404(request, pk)
    consent = services.special_referral_consent(youth)
    form = SpecialReferralForm(request.POST or None, instance=SpecialServiceReferral(youth=youth))
    if form.is_valid():
        try:
            referral = services.special_referral_create(
                referral=form.save(commit=False), by=request.user
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The referral was sent to Kela."))
            return redirect("special_service:detail", pk=referral.pk)
    access_log_write(user=request.user, youth_id=youth.pk, action=AccessLog.Action.READ, obj=youth)
    context = {"form": form, "youth": youth, "consent": consent}
    status = 400 if form.is_bound else 200
    return render(request, "cases/referral_form.html", context, status=status)


@require_GET
@any_member
def referral_detail(request, pk):
    """The referral and each of Kela's steps."""
    return _detail(request, referral_or_404(request, pk))


def _detail(request, referral, *, assess_form=None, end_form=None, status=200):
    user = request.user
    access_log_write(
        user=user, youth_id=referral.youth_id, action=AccessLog.Action.READ, obj=referral
    )
    consented = SpecialServiceReferral.objects.consented().filter(pk=referral.pk).exists()
    kela_of = referral.is_kela_of(user)
    context = {
        "referral": referral,
        # The worker sees Kela's steps while the consent holds (Kela sees nothing without it).
        "steps_shown": consented,
        "can_take": user.is_kela_contact and referral.status == referral.Status.REFERRED,
        "can_assess": kela_of and referral.status == referral.Status.TAKEN,
        "can_end": kela_of and referral.status == referral.Status.IN_SERVICE,
        "assess_form": assess_form or SpecialAssessmentForm(),
        "end_form": end_form or SpecialEndForm(),
    }
    return render(request, "cases/referral_detail.html", context, status=status)


@require_POST
@kela_required
def referral_take(request, pk):
    """Kela takes the referral to assess it."""
    referral = referral_or_404(request, pk)
    try:
        services.special_referral_take(referral=referral, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("You took the referral. Record the assessment below."))
    return redirect("special_service:detail", pk=referral.pk)


@require_POST
@kela_required
def referral_assess(request, pk):
    """Kela records the assessment."""
    referral = referral_or_404(request, pk)
    form = SpecialAssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.special_referral_assess(
                referral=referral, by=request.user, assessment=form.cleaned_data
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The assessment was recorded. The worker sees it."))
            return redirect("special_service:detail", pk=referral.pk)
    return _detail(request, referral, assess_form=form, status=400)


@require_POST
@kela_required
def referral_end(request, pk):
    """Kela ends the special service with the hand-over to a suitable service."""
    referral = referral_or_404(request, pk)
    form = SpecialEndForm(request.POST)
    if form.is_valid():
        try:
            services.special_referral_end(
                referral=referral, by=request.user, handover=form.cleaned_data["handover"]
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request, _("The special service ended. The worker sees the hand-over.")
            )
            return redirect("special_service:detail", pk=referral.pk)
    return _detail(request, referral, end_form=form, status=400)
