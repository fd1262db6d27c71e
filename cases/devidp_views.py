"""The pages of the quick start's test identity provider (`make run`), like Suomi.fi's test
environment: pick one of the demo young people, continue to the service with a signed assertion.
Mounted only with DEBUG and SAML_TEST_IDP (overview/urls.py); never in production."""

from dataclasses import asdict

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .devidp import Request, local_provider
from .models import YouthClient

PENDING = "test_idp_request"


@require_http_methods(["GET", "POST"])
def test_idp_sso(request):
    """GET: the service's authentication request (HTTP-Redirect); POST: the person chosen."""
    if not (settings.DEBUG and settings.SAML_TEST_IDP):
        raise Http404
    provider = local_provider()
    if request.method == "GET":
        received = provider.receive(request.get_full_path())
        request.session[PENDING] = asdict(received)
        people = YouthClient.objects.exclude(identity_code="").order_by("first_name", "last_name")
        return render(request, "own/test_idp.html", {"people": people})
    pending = request.session.get(PENDING)
    code = request.POST.get("code", "")
    if not pending or not code:
        raise Http404
    received = Request(**pending)
    answer = provider.answer(received, code)
    return render(
        request,
        "own/test_idp_answer.html",
        {"acs_url": received.acs_url, "answer": answer, "relay_state": received.relay_state},
    )
