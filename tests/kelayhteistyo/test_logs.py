"""What the application log says about a failed request (issue 15, finding 10): the incident id,
the exception type and the view; never the path (survey links carry their token in it), the
exception's message or a traceback (user input). Read from the configured log handler itself
(settings.LOGGING), as the log service would receive it: in production one JSON object a line
(issue 21), every request with its id, the user id, the view, the status and the duration."""

import io
import json
import logging
import re
from http import HTTPStatus

import pytest
from django.http import Http404, HttpResponse
from django.test import override_settings
from django.urls import path

from kelayhteistyo import views
from tests import factories as f

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


def entries(log) -> list[dict]:
    """Every line is one JSON object (a line that is not fails the test)."""
    return [json.loads(line) for line in log.getvalue().splitlines()]


def requests_logged(log) -> list[dict]:
    return [e for e in entries(log) if e["logger"] == "kelayhteistyo.request"]


@override_settings(ROOT_URLCONF=__name__)
def test_an_error_is_logged_with_its_incident_type_and_view_only(client, db, log):
    client.raise_request_exception = False
    response = client.get("/crash/tok3n-of-a-link/", {"q": SECRET})
    assert response.status_code == 500
    incident = re.search(r'<strong translate="no">(\w+)</strong>', response.content.decode())[1]
    text = log.getvalue()
    errors = [e for e in entries(log) if e["level"] == "ERROR"]
    assert [e["message"] for e in errors] == [f"incident {incident}: ValueError in view crash"]
    assert text.count(incident) == 1  # Django's own line about it is not repeated
    [request] = requests_logged(log)
    assert request["status"] == 500 and request["view"] == "crash"
    assert errors[0]["request_id"] == request["request_id"]
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
    warnings = [(e["level"], e["message"]) for e in entries(log) if e["logger"] == "django.request"]
    assert warnings == [
        ("WARNING", f"{status} {phrase} in view answer"),
        ("WARNING", "404 Not Found in view -"),  # not resolved
    ]
    assert [(r["view"], r["status"]) for r in requests_logged(log)] == [
        ("answer", int(status)),
        ("-", 404),
    ]
    for leak in (TOKEN, "/p/", "Matti", "no link"):
        assert leak not in text, leak


def test_a_forged_host_header_is_logged_without_what_was_sent(client, db, log):
    """Django's security log quotes the header: cut to the status and the exception type."""
    assert client.get("/", HTTP_HOST="evil-kotikatu.example").status_code == 400
    text = log.getvalue()
    assert "400 Bad Request in view -: DisallowedHost" in [e["message"] for e in entries(log)]
    assert "kotikatu" not in text


def test_every_request_is_one_line_of_ids_view_status_and_duration(client, log, alice, youth):
    """What an operator needs to follow a request, and nothing about the young person."""
    f.log_in(client, alice)
    response = client.get(f"/young-people/{youth.pk}/", {"q": SECRET})
    assert response.status_code == 200
    assert client.get("/login/").status_code == 302  # anonymous pages and redirects too
    first, second = requests_logged(log)
    assert set(first) == {
        "time", "level", "logger", "message", "request_id", "user_id", "view", "method",
        "status", "duration_ms",
    }  # fmt: skip
    assert first["user_id"] == alice.pk
    assert first["view"] == "cases:detail"
    assert (first["method"], first["status"]) == ("GET", 200)
    assert 0 < first["duration_ms"] < 10_000
    assert response["X-Request-ID"] == first["request_id"] != second["request_id"]
    text = log.getvalue()
    for leak in (
        youth.first_name,
        youth.last_name,
        str(youth.pk),
        alice.email,
        alice.last_name,
        "Matti",
        "/young-people/",
    ):
        assert leak not in text, leak


def test_a_request_id_from_our_proxy_is_kept_anything_else_replaced(client, db, log):
    client.get("/login/", HTTP_X_REQUEST_ID="3f2a9c1e-proxy-0001")
    client.get("/login/", HTTP_X_REQUEST_ID=f"<script>{SECRET}</script>")
    kept, replaced = requests_logged(log)
    assert kept["request_id"] == "3f2a9c1e-proxy-0001"
    assert len(replaced["request_id"]) == 32
    assert "Matti" not in log.getvalue()
