"""The young person's network in a meeting: add, change and remove other participants until the
meeting is held (services.network_member_*)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kelayhteistyo.access import access_log_write, worker_required
from kelayhteistyo.forms import add_errors
from kelayhteistyo.models import AccessLog

from . import services
from .forms import NetworkMemberForm
from .models import Participant
from .views import meeting_or_404


def _member_or_404(meeting, participant_pk) -> Participant:
    """A network member of the meeting who still takes part (another's, or removed: 404)."""
    return get_object_or_404(
        meeting.participants.network().select_related("interpreter_language"), pk=participant_pk
    )


def _closed(request, meeting):
    """The meeting was held or cancelled: its network no longer changes."""
    messages.error(
        request,
        _("The meeting has been held or cancelled: its participants can no longer be changed."),
    )
    return redirect("meetings:detail", pk=meeting.pk)


def _form_page(request, meeting, form, participant=None):
    access_log_write(
        user=request.user, youth_id=meeting.youth_id, action=AccessLog.Action.READ, obj=meeting
    )
    return render(
        request,
        "meetings/network_member_form.html",
        {"meeting": meeting, "youth": meeting.youth, "form": form, "participant": participant},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@worker_required
def network_member_add(request, pk):
    """Add a network member (support person, interpreter, …) to a meeting not yet held."""
    meeting = meeting_or_404(request, pk)
    if not meeting.is_changeable:
        return _closed(request, meeting)
    form = NetworkMemberForm(request.POST or None)
    if form.is_valid():
        try:
            member = services.network_member_add(
                meeting=meeting, by=request.user, fields=form.member_fields()
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": member.display_name})
            return redirect("meetings:detail", pk=meeting.pk)
    return _form_page(request, meeting, form)


@require_http_methods(["GET", "POST"])
@worker_required
def network_member_edit(request, pk, participant_pk):
    """Change a network member of a meeting not yet held."""
    meeting = meeting_or_404(request, pk)
    member = _member_or_404(meeting, participant_pk)
    if not meeting.is_changeable:
        return _closed(request, meeting)
    form = NetworkMemberForm(request.POST or None, participant=member)
    if form.is_valid():
        try:
            services.network_member_edit(
                participant=member, by=request.user, fields=form.member_fields()
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("meetings:detail", pk=meeting.pk)
    return _form_page(request, meeting, form, member)


@require_POST
@worker_required
def network_member_remove(request, pk, participant_pk):
    """Remove a network member from a meeting not yet held: nothing more is sent to them."""
    meeting = meeting_or_404(request, pk)
    member = _member_or_404(meeting, participant_pk)
    try:
        services.network_member_remove(participant=member, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request,
            _("%(name)s was removed from the meeting.") % {"name": member.display_name},
        )
    return redirect("meetings:detail", pk=meeting.pk)
