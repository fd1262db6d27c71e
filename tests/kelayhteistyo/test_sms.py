"""Text messages (issue 19): backends like Django's e-mail backends, the HTTP gateway backend
against a fake gateway server started here, and phone numbers validated as E.164."""

import base64
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse

from cases.models import YouthClient
from kelayhteistyo import sms
from tests.cases.test_youth import form_data


class FakeGateway(ThreadingHTTPServer):
    """An SMS gateway on 127.0.0.1: keeps what it is sent, answers `status` after `delay` s."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[dict] = []
        self.status = 202
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/send"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 — the name http.server calls
        length = int(self.headers["Content-Length"])
        self.server.received.append(
            {
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "json": json.loads(self.rfile.read(length)),
            }
        )
        time.sleep(self.server.delay)
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "1", "to": "+358401234567"}')

    def log_message(self, *args):
        pass  # no request lines in the test output


@pytest.fixture
def gateway(settings):
    server = FakeGateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "kelayhteistyo.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = server.url
    settings.SMS_GATEWAY_USER = "yhteistyo"
    settings.SMS_GATEWAY_PASSWORD = "salasana"  # noqa: S105 — the fake server's
    settings.SMS_GATEWAY_TOKEN = ""
    settings.SMS_SENDER = "Yhteistyo"
    settings.SMS_GATEWAY_TIMEOUT = 2
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def memory(settings):
    settings.SMS_BACKEND = "kelayhteistyo.sms.MemoryBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("040 123 4567", "+358401234567"),
        ("0401234567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("00358 50 765 4321", "+358507654321"),
        ("09 3101 1111", "+358931011111"),  # a landline in Helsinki
        ("+46 70 123 45 67", "+46701234567"),  # Swedish mobile
        ("+251 91 123 4567", "+251911234567"),  # Ethiopian mobile
    ],
)
def test_finnish_and_international_numbers_are_read_as_e164(typed, e164):
    assert sms.phone_normalize(typed) == e164


@pytest.mark.parametrize("typed", ["12345", "040 123", "puhelin", "+358 40 123 4567 890", "+999 1"])
def test_a_number_that_is_not_one_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        sms.phone_normalize(typed)
    assert refused.value.code == "invalid"


def test_the_gateway_backend_posts_json_with_the_credentials(gateway):
    assert sms.send_sms("040 123 4567", "Tapaaminen huomenna klo 10.") == 1
    [request] = gateway.received
    assert request["path"] == "/api/send"
    assert request["content_type"] == "application/json"
    assert request["json"] == {
        "from": "Yhteistyo",
        "to": ["+358401234567"],
        "text": "Tapaaminen huomenna klo 10.",
    }
    user, password = base64.b64decode(request["authorization"].removeprefix("Basic ")).split(b":")
    assert (user, password) == (b"yhteistyo", b"salasana")


def test_a_token_is_sent_as_bearer(gateway, settings):
    settings.SMS_GATEWAY_TOKEN = "t0ken"  # noqa: S105 — the fake server's
    sms.send_sms("+46701234567", "Hej")
    assert gateway.received[0]["authorization"] == "Bearer t0ken"


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_a_refusal_of_the_gateway_is_an_error_without_the_message(gateway, status):
    gateway.status = status
    with pytest.raises(sms.SmsError, match=f"answered {status}") as refused:
        sms.send_sms("040 123 4567", "Salainen teksti")
    assert "Salainen" not in str(refused.value) and "4567" not in str(refused.value)
    assert len(gateway.received) == 1
    assert sms.send_sms("040 123 4567", "Salainen teksti", fail_silently=True) == 0


def test_a_gateway_that_does_not_answer_in_time_is_an_error(gateway, settings):
    settings.SMS_GATEWAY_TIMEOUT = 0.2
    gateway.delay = 1.0
    with pytest.raises(sms.SmsError, match="could not be reached"):
        sms.send_sms("040 123 4567", "Hei")


def test_a_gateway_that_is_down_is_an_error(gateway, settings):
    gateway.shutdown()
    gateway.server_close()
    with pytest.raises(sms.SmsError, match="could not be reached"):
        sms.send_sms("040 123 4567", "Hei")


def test_a_bad_number_never_reaches_the_gateway(gateway):
    with pytest.raises(ValidationError):
        sms.send_sms("12345", "Hei")
    assert gateway.received == []


def test_the_gateway_backend_needs_its_address(settings):
    settings.SMS_BACKEND = "kelayhteistyo.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured, match="SMS_GATEWAY_URL"):
        sms.send_sms("040 123 4567", "Hei")
    settings.SMS_GATEWAY_URL = "file:///etc/passwd"
    with pytest.raises(ImproperlyConfigured, match="http"):
        sms.send_sms("040 123 4567", "Hei")


def test_the_memory_backend_keeps_the_messages(memory):
    sms.send_sms("040 123 4567", "Hei")
    assert memory == [sms.SmsMessage(to="+358401234567", body="Hei")]


def test_the_console_and_file_backends_write_the_message(settings, tmp_path, monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sms.ConsoleBackend, "stream", out)
    settings.SMS_BACKEND = "kelayhteistyo.sms.ConsoleBackend"
    sms.send_sms("040 123 4567", "Hei konsoli")
    assert "+358401234567" in out.getvalue() and "Hei konsoli" in out.getvalue()

    settings.SMS_BACKEND = "kelayhteistyo.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    sms.send_sms("+46701234567", "Hej fil")
    [written] = (tmp_path / "sms").iterdir()
    assert "+46701234567" in written.read_text() and "Hej fil" in written.read_text()


def test_the_young_persons_phone_is_stored_as_e164(client_as, alice):
    data = form_data(responsible_worker=alice.pk, phone="040 123 4567")
    assert client_as(alice).post(reverse("cases:create"), data).status_code == 302
    assert YouthClient.objects.get().phone == "+358401234567"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fi", "Kirjoita puhelinnumero muodossa 040 123 4567 tai +358 40 123 4567."),
        ("sv", "Skriv telefonnumret som 040 123 4567 eller +358 40 123 4567."),
        ("en", "Enter a phone number such as 040 123 4567 or +358 40 123 4567."),
    ],
)
def test_an_unknown_phone_format_is_refused_next_to_the_field(client_as, alice, language, message):
    alice.preferred_language = language
    alice.save()
    data = form_data(responsible_worker=alice.pk, phone="040-12", email="aino@example.fi")
    response = client_as(alice).post(reverse("cases:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [message]
    assert not YouthClient.objects.exists()
    page = response.content.decode()
    assert 'value="040-12"' in page and 'value="aino@example.fi"' in page
