"""The in-app notification list, marking read, the reminder settings, and calendar files."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kelayhteistyo.access import access_log_page, access_log_write, any_member
from kelayhteistyo.models import AccessLog, User

from . import calendar, notifications
from .models import JointMeeting, Notification, Participant
from .views import meeting_or_404


def unread_count(request) -> dict:
    """Context processor: the number on the bell (one query, only for logged-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.visible_to(user).filter(read_at=None).count()
    }


@require_GET
@login_required
def notification_list(request):
    """The user's notifications. Each shows its content only while the user may still see
    what it is about; showing it is a read of the young person's data (logged)."""
    user = request.user
    page = Paginator(
        Notification.objects.visible_to(user)
        .with_content_access(user)
        .select_related(
            "meeting__youth",
            "meeting__organiser",
            "action_item__owner__user",
            "plan__meeting__youth",
            "plan__meeting__organiser",
            "consent__youth",
            "youth",
            "cooperation_request__organisation",
            "special_referral__youth",
        )
        # The texts name Kela's contact person: the participants of every meeting at once.
        .prefetch_related(
            Prefetch("meeting__participants", Participant.objects.select_related("user")),
            Prefetch("plan__meeting__participants", Participant.objects.select_related("user")),
        ),
        30,
    ).get_page(request.GET.get("page"))
    rows, shown = [], []
    for n in page.object_list:
        if not n.shows_content:
            rows.append(
                {"n": n, "subject": n.get_kind_display(), "body": NO_LONGER_AVAILABLE, "url": None}
            )
            continue
        subject, body = notifications.text(n)
        rows.append({"n": n, "subject": subject, "body": body, "url": notifications.link(n)})
        youth_id = (
            n.meeting.youth_id
            if n.meeting_id
            else n.consent.youth_id
            if n.consent_id
            else n.special_referral.youth_id
            if n.special_referral_id
            else n.youth_id
        )
        if youth_id:  # a cooperation request names no record (or first name only, to Kela)
            shown.append(youth_id)
    access_log_page(user=user, page="notifications", youth_ids=shown)
    return render(request, "notifications/list.html", {"page": page, "rows": rows})


NO_LONGER_AVAILABLE = gettext_lazy(
    "What this notification was about is no longer available to you."
)


@require_POST
@login_required
def notification_read(request, pk):
    n = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    if n.read_at is None:
        Notification.objects.filter(pk=n.pk).update(read_at=timezone.now())
    if request.POST.get("open"):
        return redirect(notifications.link(n))
    return redirect("notifications")


@require_POST
@login_required
def notifications_read_all(request):
    Notification.objects.visible_to(request.user).filter(read_at=None).update(
        read_at=timezone.now()
    )
    messages.success(request, _("All notifications were marked read."))
    return redirect("notifications")


Kind = Notification.Kind
# The reminders a Kela contact can get (the unanswered invitation goes to the organiser, the
# expiring consent to the aftercare worker).
KELA_REMINDERS = (
    Kind.MEETING_TOMORROW,
    Kind.REFERRAL_UNASSESSED,
    Kind.ITEM_DUE,
    Kind.ITEM_OVERDUE,
    Kind.REVIEW_DUE,
    Kind.REVIEW_OVERDUE,
    Kind.FEEDBACK_REQUEST,
)


# Reminders only a Kela contact gets.
KELA_ONLY = (Kind.REFERRAL_UNASSESSED,)


def reminders_offered(user: User) -> list[str]:
    """The reminders the user's role can get, and so may turn off: only these are offered."""
    if user.role == User.Role.AFTERCARE_WORKER:
        return [k for k in notifications.mutable_kinds() if k not in KELA_ONLY]
    if user.role == User.Role.KELA_CONTACT:
        return list(KELA_REMINDERS)
    return []


class MutesForm(forms.Form):
    wanted = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Send me these reminders"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "Invitations to you, answers to your invitations and changes to your meetings are "
            "always sent."
        ),
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wanted"].choices = [(k, Kind(k).label) for k in kinds]


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request):
    user = request.user
    kinds = reminders_offered(user)
    form = MutesForm(
        request.POST or None,
        kinds=kinds,
        initial={"wanted": [k for k in kinds if k not in user.muted_reminders]},
    )
    if kinds and form.is_valid():
        user.muted_reminders = [k for k in kinds if k not in form.cleaned_data["wanted"]]
        user.save(update_fields=["muted_reminders"])
        messages.success(request, _("Your reminder settings were saved."))
        return redirect("notification_settings")
    return render(request, "notifications/settings.html", {"form": form if kinds else None})


@require_GET
@any_member
def meeting_ics(request, pk):
    """The meeting as a calendar file, for everyone who can see the meeting."""
    meeting = meeting_or_404(request, pk)
    method = (
        calendar.CANCEL if meeting.status == JointMeeting.Status.CANCELLED else calendar.REQUEST
    )
    access_log_write(
        user=request.user, youth_id=meeting.youth_id, action=AccessLog.Action.READ, obj=meeting
    )
    body = calendar.meeting_ics(meeting, method=method, language=request.LANGUAGE_CODE)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="yhteistyo.ics"'
    return response
