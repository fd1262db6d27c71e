"""Kela starts cooperation (issue 18): a Kela contact finds an aftercare unit and sends it a
cooperation request; a worker of the unit takes it, names the young person's record (found or
created), records the consent and books a joint meeting — or declines with a reason Kela sees.

Every page that shows a request writes an access-log row per request shown (basis "request");
requests are seen by the Kela contact who sent them and the workers of the unit only (404 for
anyone else)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kelayhteistyo.access import (
    access_log_page,
    access_log_request,
    any_member,
    get_visible_or_404,
    kela_required,
    worker_required,
)
from kelayhteistyo.forms import add_errors
from kelayhteistyo.models import AccessLog, Organisation, active_language

from . import services
from .forms import (
    CooperationDeclineForm,
    CooperationLinkForm,
    CooperationRequestForm,
    UnitSearchForm,
)
from .models import Consent, CooperationRequest, YouthClient

CANDIDATES = 10


def request_or_404(request, pk) -> CooperationRequest:
    """The request, if the user sent it or works in the unit it was sent to (else 404)."""
    requests = CooperationRequest.objects.select_related(
        "organisation", "organisation__county", "sent_by", "taken_by", "answered_by", "youth"
    )
    return get_visible_or_404(request, requests, youth_field="youth_id", pk=pk)


@require_GET
@kela_required
def unit_list(request):
    """The directory of aftercare units by county, to send a cooperation request to."""
    form = UnitSearchForm(request.GET or None)
    county = form.cleaned_data["county"] if form.is_valid() else None
    units = (
        Organisation.objects.filter(kind=Organisation.Kind.AFTERCARE)
        .select_related("county")
        .order_by(f"county__name_{active_language()}", "name")
    )
    if county is not None:
        units = units.filter(county=county)
    profile = getattr(request.user, "kela_profile", None)
    areas = set(profile.areas.values_list("pk", flat=True)) if profile else set()
    rows = [(unit, unit.county_id is None or unit.county_id in areas) for unit in units]
    return render(request, "cases/request_units.html", {"form": form, "rows": rows})


@require_http_methods(["GET", "POST"])
@kela_required
def request_create(request, unit_pk):
    """Send a cooperation request to an aftercare unit (allowed outside one's areas, with a
    warning)."""
    unit = get_object_or_404(
        Organisation.objects.select_related("county"),
        pk=unit_pk,
        kind=Organisation.Kind.AFTERCARE,
    )
    serves = services.kela_serves(request.user, unit)
    form = CooperationRequestForm(
        request.POST or None, instance=CooperationRequest(organisation=unit)
    )
    if form.is_valid():
        try:
            sent = services.cooperation_request_send(
                request=form.save(commit=False), by=request.user
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _("The request was sent to %(unit)s. Its workers see it on their home page.")
                % {"unit": unit.name},
            )
            if not serves:
                messages.warning(request, _outside_areas(unit))
            return redirect("requests:detail", pk=sent.pk)
    context = {"form": form, "unit": unit, "outside_areas": "" if serves else _outside_areas(unit)}
    return render(request, "cases/request_form.html", context, status=400 if form.is_bound else 200)


def _outside_areas(unit: Organisation) -> str:
    return _(
        "%(county)s is not among the areas you serve. The request can be sent, but check that "
        "this is the right unit."
    ) % {"county": unit.county.name if unit.county else ""}


@require_GET
@any_member
def request_detail(request, pk):
    """A cooperation request: for Kela its state and answer, for the unit's workers the
    next step (take, find the young person, consent, book — or decline)."""
    return _detail(request, request_or_404(request, pk))


def _detail(request, coop, *, decline_form=None, link_form=None, status=200):
    user = request.user
    access_log_request(
        user=user, action=AccessLog.Action.READ, requests=[coop], what=coop.LOG_OBJECT
    )
    context = {"coop": coop, "can_take": False, "can_decline": False, "mine": False}
    if user.is_aftercare_worker:
        mine = coop.is_taken_by(user)
        context |= {
            "can_take": coop.can_take(user),
            "can_decline": coop.can_decline(user),
            "mine": mine,
            "decline_form": decline_form or CooperationDeclineForm(),
        }
        if mine and coop.youth is None:
            candidates = _candidates(user, coop)
            access_log_page(user=user, page=coop.LOG_MATCH, youth_ids=[y.pk for y in candidates])
            context |= {
                "candidates": candidates,
                "link_form": link_form or CooperationLinkForm(user=user),
            }
        if mine and coop.youth is not None:
            context["consent"] = coop.youth.consents.covering(Consent.Scope.KELA_MEETING).first()
    return render(request, "cases/request_detail.html", context, status=status)


def _candidates(user, coop) -> list[YouthClient]:
    """Young people of the unit who may be the one asked about: the same date of birth, or
    the same first and last name."""
    same_name = Q(first_name__iexact=coop.first_name, last_name__iexact=coop.last_name)
    return list(
        YouthClient.objects.visible_to(user)
        .filter(Q(date_of_birth=coop.date_of_birth) | same_name)
        .order_by("last_name", "first_name", "pk")[:CANDIDATES]
    )


@require_POST
@worker_required
def request_take(request, pk):
    """Take the request: it becomes the worker's to contact the young person."""
    coop = request_or_404(request, pk)
    try:
        services.cooperation_request_take(request=coop, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("You took the request. Next, find the young person."))
    return redirect("requests:detail", pk=coop.pk)


@require_POST
@worker_required
def request_decline(request, pk):
    """Decline the request with a reason Kela sees."""
    coop = request_or_404(request, pk)
    form = CooperationDeclineForm(request.POST)
    if form.is_valid():
        try:
            services.cooperation_request_decline(
                request=coop, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The request was declined. Kela sees the reason."))
            return redirect("requests:detail", pk=coop.pk)
    return _detail(request, coop, decline_form=form, status=400)


@require_POST
@worker_required
def request_link(request, pk):
    """Name the young person's existing record as the one the request is about."""
    coop = request_or_404(request, pk)
    form = CooperationLinkForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.cooperation_request_link(
                request=coop, youth=form.cleaned_data["youth"], by=request.user
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _("The request is linked to the record of %(name)s.")
                % {"name": form.cleaned_data["youth"].full_name},
            )
            return redirect("requests:detail", pk=coop.pk)
    return _detail(request, coop, link_form=form, status=400)
