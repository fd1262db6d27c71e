"""A Kela contact's own profile page: their directory entry, absences and free times (issue 18).

Here, not in kelayhteistyo, because recording an absence passes waiting invitations on to the
substitute (meetings.services.kela_absence_record)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kelayhteistyo.access import role_required
from kelayhteistyo.forms import KelaAbsenceForm, KelaProfileForm, add_errors
from kelayhteistyo.models import KelaAbsence, KelaContactProfile, User
from kelayhteistyo.services import kela_profile_save

from . import services
from .forms import FreeTimeForm
from .models import KelaSlot

kela_required = role_required(User.Role.KELA_CONTACT)


# The profile lists this many of the contact's coming free times (a term may hold hundreds).
SLOTS_SHOWN = 60


def _page(request, profile, *, form=None, absence_form=None, free_form=None, status=200):
    coming = KelaSlot.objects.filter(contact=request.user, ends_at__gt=timezone.now())
    context = {
        "profile": profile,
        "form": form or KelaProfileForm(instance=profile),
        "absence_form": absence_form or KelaAbsenceForm(profile=profile),
        "absences": profile.absences.not_over().select_related("substitute"),
        "free_form": free_form or FreeTimeForm(),
        "slots": coming.select_related("meeting")[:SLOTS_SHOWN],
        "slots_count": coming.count(),
        "slots_shown": SLOTS_SHOWN,
    }
    return render(request, "kela_profile.html", context, status=status)


@require_http_methods(["GET", "POST"])
@kela_required
def kela_profile(request):
    """The Kela contact's own entry in the directory: areas, languages, ways of meeting."""
    profile = get_object_or_404(KelaContactProfile, user=request.user)
    if request.method != "POST":
        return _page(request, profile)
    form = KelaProfileForm(request.POST, instance=profile)
    if not form.is_valid():
        return _page(request, profile, form=form, status=400)
    kela_profile_save(
        profile=form.save(commit=False),
        areas=form.cleaned_data["areas"],
        languages=form.cleaned_data["languages"],
    )
    messages.success(request, _("Your profile was saved."))
    return redirect("kela_profile")


@require_POST
@kela_required
def kela_absence_add(request):
    """Record an absence; waiting invitations it covers go to the substitute at once."""
    profile = get_object_or_404(KelaContactProfile, user=request.user)
    form = KelaAbsenceForm(request.POST, profile=profile)
    if form.is_valid():
        try:
            passed = services.kela_absence_record(absence=form.save(commit=False), by=request.user)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Your absence was saved."))
            absence = form.instance
            if absence.substitute is None:
                messages.warning(
                    request,
                    _(
                        "You named no substitute: workers are told that you are away, and "
                        "invitations wait for your return."
                    ),
                )
            elif passed:
                messages.info(
                    request,
                    ngettext(
                        "%(n)d waiting invitation was passed to %(name)s.",
                        "%(n)d waiting invitations were passed to %(name)s.",
                        len(passed),
                    )
                    % {"n": len(passed), "name": absence.substitute.get_full_name()},
                )
            return redirect("kela_profile")
    return _page(request, profile, absence_form=form, status=400)


@require_POST
@kela_required
def kela_absence_delete(request, pk):
    """Remove an absence (back early, or plans changed). Invitations already passed on stay
    with the substitute."""
    absence = get_object_or_404(KelaAbsence, pk=pk, profile__user=request.user)
    absence.delete()
    messages.success(request, _("The absence was removed."))
    return redirect("kela_profile")


@require_POST
@kela_required
def free_times_add(request):
    """Publish free times: one day, or a weekly rule expanded into its slots."""
    profile = get_object_or_404(KelaContactProfile, user=request.user)
    form = FreeTimeForm(request.POST)
    if form.is_valid():
        try:
            slots = services.slots_publish(contact=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d free time was published.", "%(n)d free times were published.", len(slots)
                )
                % {"n": len(slots)},
            )
            return redirect(f"{reverse('kela_profile')}#h-free-times")
    return _page(request, profile, free_form=form, status=400)


@require_POST
@kela_required
def free_time_remove(request, pk):
    """Take back a free time nobody has booked; another's is a 404."""
    slot = get_object_or_404(KelaSlot, pk=pk, contact=request.user)
    try:
        services.slot_remove(slot=slot, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("The free time %(when)s was removed.") % {"when": slot.label})
    return redirect(f"{reverse('kela_profile')}#h-free-times")
