"""Exporting the follow-up plan into the client plan, and downloading the snapshots."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kelayhteistyo.access import (
    access_log_write,
    any_member,
    recent_login_required,
    worker_required,
)
from kelayhteistyo.models import AccessLog
from kelayhteistyo.pdf import RenderTimeout

from . import pdf
from .models import FollowUpPlan, Notification, PlanExport
from .views import meeting_or_404


class ExportForm(forms.Form):
    variant = forms.ChoiceField(choices=PlanExport.Variant.choices, widget=forms.HiddenInput)
    # The young person's copy also in the youth languages; the client plan in fi, sv, en.
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the document"), choices=settings.YOUTH_LANGUAGES
    )
    include_identity_code = forms.BooleanField(
        label=gettext_lazy("Include the personal identity code"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        official = cleaned.get("variant") == PlanExport.Variant.OFFICIAL
        if official and cleaned.get("language") not in dict(settings.LANGUAGES):
            self.add_error("language", gettext_lazy("Choose the language of the document."))
        return cleaned


@require_POST
@worker_required
def plan_export(request, pk):
    meeting = meeting_or_404(request, pk)
    plan = get_object_or_404(FollowUpPlan, meeting=meeting)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the language of the document."))
        return redirect("meetings:plan", pk=meeting.pk)
    try:
        export = pdf.plan_export(plan, by=request.user, **form.cleaned_data)
    except RenderTimeout:
        messages.error(
            request,
            _("Making the document took too long. Nothing was saved. Try again in a moment."),
        )
        return redirect("meetings:plan", pk=meeting.pk)
    except ValidationError as e:  # the client plan document needs the consent that covers it
        messages.error(request, " ".join(e.messages))
        return redirect("meetings:plan", pk=meeting.pk)
    except pdf.ExportConflict:
        messages.error(
            request,
            _(
                "Others exported or changed the plan at the same moment. Nothing was saved. "
                "Try again."
            ),
        )
        return redirect("meetings:plan", pk=meeting.pk)
    if export.variant == PlanExport.Variant.OFFICIAL:
        messages.success(
            request,
            _("The plan was exported into the client plan (version %(n)s).") % {"n": export.number},
        )
    else:
        messages.success(request, _("The plain-language copy for the young person is ready."))
        sent_to = Notification.objects.filter(plan_export=export).select_related("participant")
        names = ", ".join(n.participant.display_name for n in sent_to)
        if names:
            messages.info(
                request,
                _("It is also sent by e-mail to the network members: %(names)s.")
                % {"names": names},
            )
    return redirect("meetings:plan", pk=meeting.pk)


@require_GET
@any_member
def plan_export_download(request, pk, export_pk):
    """Workers of the organisation: every export. A Kela contact: the plain-language copy, and
    only while the consent covers sharing the plan with Kela. The client plan document asks for
    the password again (it holds the full record, and may hold the identity code)."""
    meeting = meeting_or_404(request, pk)
    export = get_object_or_404(
        PlanExport.objects.visible_to(request.user), pk=export_pk, plan__meeting=meeting
    )
    if export.variant == PlanExport.Variant.OFFICIAL:
        return _download_after_reauthentication(request, meeting, export)
    return _download(request, meeting, export)


@recent_login_required
def _download_after_reauthentication(request, meeting, export):
    return _download(request, meeting, export)


def _download(request, meeting, export):
    kela = request.user.is_kela_contact
    action = AccessLog.Action.DISCLOSE if kela else AccessLog.Action.READ
    access_log_write(user=request.user, youth_id=meeting.youth_id, action=action, obj=export)
    name = f"{export.variant}-{export.number}-{export.language}.pdf"
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
