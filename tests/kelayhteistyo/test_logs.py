"""What the application log says about a failed request (issue 15, finding 10): the incident id,
the exception type and the view; never the path (survey links carry their token in it), the
exception's message or a traceback (user input). Read from the configured log handler itself
(settings.LOGGING), as the log service would receive it."""

import io
import logging
import re
from http import HTTPStatus

import pytest
from django.http import Http404, HttpResponse
from django.test import override_settings
from django.urls import path

from kelayhteistyo import views

SECRET = "Matti Meikäläinen asuu Kotikadulla"
TOKEN = "K7Q2M9XW4RTB5NZP"


def _crash(request, token):
    raise ValueError(f"could not parse {request.GET['q']}")


def _refuse(request, token):
    """Like a single-use link's page: the token is in the path."""
    if request.GET["status"] == "404":
        raise Http404(f"no link {token}")
    return HttpResponse(status=int(request.GET["status"]))


urlpatterns = [
    path("crash/<str:token>/", _crash, name="crash"),
    path("p/<str:token>/", _refuse, name="answer"),
]
handler500 = views.server_error


@pytest.fixture
def log():
    """The text written by the `console` handler of settings.LOGGING during the test."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield stream
    handler.setStream(old)


@override_settings(ROOT_URLCONF=__name__)
def test_an_error_is_logged_with_its_incident_type_and_view_only(client, db, log):
    client.raise_request_exception = False
    response = client.get("/crash/tok3n-of-a-link/", {"q": SECRET})
    assert response.status_code == 500
    incident = re.search(r'<strong translate="no">(\w+)</strong>', response.content.decode())[1]
    text = log.getvalue()
    assert f"incident {incident}: ValueError in view crash" in text
    assert text.count(incident) == 1  # Django's own line about it is not repeated
    for leak in ("Matti", "tok3n", "/crash/", "Traceback", "could not parse"):
        assert leak not in text, leak


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("status", ["400", "404", "410"])
def test_refusals_are_logged_without_the_path(client, db, log, status):
    response = client.get(f"/p/{TOKEN}/", {"status": status, "q": SECRET})
    assert response.status_code == int(status)
    assert client.get(f"/no-such-page/{TOKEN}/").status_code == 404
    text = log.getvalue()
    phrase = HTTPStatus(int(status)).phrase
    assert f"WARNING django.request: {status} {phrase} in view answer" in text
    assert "WARNING django.request: 404 Not Found in view -" in text  # not resolved
    for leak in (TOKEN, "/p/", "Matti", "no link"):
        assert leak not in text, leak


def test_a_forged_host_header_is_logged_without_what_was_sent(client, db, log):
    """Django's security log quotes the header: cut to the status and the exception type."""
    assert client.get("/", HTTP_HOST="evil-kotikatu.example").status_code == 400
    text = log.getvalue()
    assert "400 Bad Request in view -: DisallowedHost" in text
    assert "kotikatu" not in text
