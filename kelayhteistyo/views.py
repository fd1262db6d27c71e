import datetime
import uuid
from functools import wraps

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from cases.models import YouthClient
from feedback import services as feedback
from feedback.models import SurveyLink
from meetings.forms import DirectorySearchForm, kela_contacts
from meetings.models import ActionItem, FollowUpPlan, JointMeeting, Participant

from .models import User

REVIEWS_DUE_WITHIN = datetime.timedelta(days=14)


def role_required(*roles):
    """Allow the view to logged-in users with one of `roles`; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles or not request.user.organisation_id:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


worker_required = role_required(User.Role.AFTERCARE_WORKER)


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


def _worker_home(request):
    user, today = request.user, timezone.localdate()
    meetings = JointMeeting.objects.visible_to(user).select_related("youth")
    items = ActionItem.objects.filter(
        plan__meeting__in=meetings, status=ActionItem.Status.OPEN, due_date__lt=today
    ).select_related("owner__user", "plan__meeting__youth")
    plans = FollowUpPlan.objects.filter(
        meeting__in=meetings, review_date__lte=today + REVIEWS_DUE_WITHIN
    ).select_related("meeting__youth")
    context = {
        "youth_clients": YouthClient.objects.visible_to(user).filter(
            responsible_worker=user, status=YouthClient.Status.ACTIVE
        ),
        "upcoming": meetings.upcoming()[:20],
        # Held (or past and confirmed) but no plan yet: the worker's next step.
        "to_record": meetings.filter(
            Q(status=JointMeeting.Status.HELD)
            | Q(status=JointMeeting.Status.CONFIRMED, starts_at__lt=timezone.now())
        ).order_by("starts_at")[:50],
        "waiting": meetings.filter(status=JointMeeting.Status.INVITED)
        .filter(
            participants__kind=Participant.Kind.KELA_CONTACT,
            participants__status__in=[Participant.Status.PENDING, Participant.Status.PROPOSED],
        )
        .distinct()
        .order_by("starts_at"),
        "overdue_items": items.order_by("due_date")[:50],
        "reviews_due": plans.order_by("review_date")[:50],
        "feedback_to_give": _feedback_to_give(user),
        "today": today,
    }
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


ACCESSIBILITY_STATEMENT_UPDATED = datetime.date(2026, 11, 23)


@require_GET
def accessibility(request):
    """The accessibility statement (saavutettavuusseloste), public as the law requires."""
    return render(request, "accessibility.html", {"updated": ACCESSIBILITY_STATEMENT_UPDATED})


@require_GET
@worker_required
def directory(request):
    """The directory of named Kela contact persons, searchable by area and language."""
    form = DirectorySearchForm(request.GET or None)
    county = language = None
    if form.is_valid():
        county, language = form.cleaned_data["county"], form.cleaned_data["language"]
    contacts = kela_contacts(county, language)
    return render(request, "directory.html", {"form": form, "contacts": contacts})


LANGUAGE_CHOSEN = "language_chosen"


@require_POST
def set_language(request):
    """Switch the language; a logged-in user's choice is remembered on every device.

    A choice made on the login page is kept in the session and becomes the user's preference at
    login (see LoginView); a language cookie left by someone else on a shared computer does not.
    """
    lang = request.POST.get("language")
    if lang in dict(User._meta.get_field("preferred_language").choices):
        if request.user.is_authenticated:
            User.objects.filter(pk=request.user.pk).update(preferred_language=lang)
        else:
            request.session[LANGUAGE_CHOSEN] = lang
    return django_set_language(request)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)  # logs in; the session keeps its data
        lang = self.request.session.pop(LANGUAGE_CHOSEN, None)
        if lang and lang != self.request.user.preferred_language:
            self.request.user.preferred_language = lang
            self.request.user.save(update_fields=["preferred_language"])
        return response


ERRORS = {
    400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
    403: (_("No access"), _("Your role does not give access to this page.")),
    404: (
        _("Page not found"),
        _("The page does not exist, or you do not have access to it."),
    ),
}


def _error_page(status):
    def view(request, exception=None):
        title, text = ERRORS[status]
        return render(request, "error.html", {"title": title, "text": text}, status=status)

    return view


bad_request, permission_denied, page_not_found = (_error_page(s) for s in (400, 403, 404))


def server_error(request):
    """A generic page with the incident id also written to the log (IncidentMiddleware)."""
    incident_id = getattr(request, "incident_id", None) or uuid.uuid4().hex[:10]
    html = loader.get_template("500.html").render({"incident_id": incident_id})
    return HttpResponseServerError(html)
