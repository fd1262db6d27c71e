import datetime
import uuid

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from . import youth
from .access import worker_required
from .forms import DirectorySearchForm
from .models import User

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
    contacts = User.objects.kela_contacts(county, language)
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


@require_POST
def set_youth_language(request):
    """The language switch of the young person's own pages: a cookie of this browser only."""
    lang = request.POST.get("language")
    target = request.POST.get("next") or youth.YOUTH_PATH
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = youth.YOUTH_PATH
    response = redirect(target)
    if youth.is_youth_language(lang):
        youth.remember_language(response, lang)
    return response


class LoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user):
        """After the right password: an organisation that logs in only through its own login
        service allows no password of this service (recorded as a refused login)."""
        super().confirm_login_allowed(user)
        from .oidc import local_password_allowed

        if not local_password_allowed(user):
            user_login_failed.send(
                sender=__name__, credentials={"username": user.email}, request=self.request
            )
            raise ValidationError(
                _(
                    "%(organisation)s logs in through its own login service: use the button "
                    "“Log in with %(organisation)s”."
                ),
                code="organisation_login",
                params={"organisation": user.organisation.name},
            )


class LoginView(auth_views.LoginView):
    """Passwords of this service, and a button for each organisation that has its own login
    service (oidc_views.py); the one last used on this browser first."""

    redirect_authenticated_user = True
    form_class = LoginForm

    def get_context_data(self, **kwargs):
        from .oidc_views import LAST_PROVIDER_COOKIE, enabled_providers

        context = super().get_context_data(**kwargs)
        providers = sorted(enabled_providers(), key=lambda p: p.organisation.name)
        last = self.request.COOKIES.get(LAST_PROVIDER_COOKIE, "")
        remembered = [p for p in providers if str(p.pk) == last]
        context["providers"] = remembered + [p for p in providers if p not in remembered]
        context["remembered"] = bool(remembered)
        return context

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
