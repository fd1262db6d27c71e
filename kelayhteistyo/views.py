import datetime
import uuid

from django.contrib.auth import views as auth_views
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

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
