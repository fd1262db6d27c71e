"""The hand-over page of a young person (in the `cases:` namespace, assembled by overview):
what moves to the new responsible worker, and the button that does it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from cases.forms import HandOverForm
from cases.views import youth_or_404
from kelayhteistyo.access import access_log_write, worker_required
from kelayhteistyo.forms import add_errors
from kelayhteistyo.models import AccessLog, User

from . import services
from .models import Participant


@require_http_methods(["GET", "POST"])
@worker_required
def youth_hand_over(request, pk):
    """Hand the young person over to another worker of the organisation: their open meetings,
    tasks and waiting reminders move, and Kela and the young person are told."""
    youth = youth_or_404(request, pk)
    form = HandOverForm(request.POST or None, youth=youth)
    if form.is_valid():
        try:
            done = services.youth_hand_over(
                youth=youth, to_worker=form.cleaned_data["to_worker"], by=request.user
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _handed_over_message(done))
            return redirect("cases:detail", pk=youth.pk)
    access_log_write(user=request.user, youth_id=youth.pk, action=AccessLog.Action.READ, obj=youth)
    moving = list(
        services.meetings_to_move(youth, youth.responsible_worker).select_related("organiser")
    )
    kela = (
        User.objects.filter(
            participations__meeting__in=[m for m in moving if m.status != "draft"],
            participations__kind=Participant.Kind.KELA_CONTACT,
            participations__status__in=[
                Participant.Status.PENDING,
                Participant.Status.ACCEPTED,
                Participant.Status.PROPOSED,
            ],
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
    context = {
        "youth": youth,
        "form": form,
        "moving": moving,
        "kela": kela,
        "tells_youth": youth.may_be_messaged(),
    }
    return render(request, "cases/handover_form.html", context)


def _handed_over_message(done: services.HandOver) -> str:
    name = done.handover.to_worker.get_full_name()
    if not done.meetings:
        return _("%(name)s is now the responsible worker.") % {"name": name}
    return ngettext(
        "%(name)s is now the responsible worker. %(count)s open joint meeting moved to them; "
        "the participants are told who their contact person now is.",
        "%(name)s is now the responsible worker. %(count)s open joint meetings moved to them; "
        "the participants are told who their contact person now is.",
        len(done.meetings),
    ) % {"name": name, "count": len(done.meetings)}
