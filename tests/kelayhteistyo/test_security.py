"""Authentication, sessions, headers and error pages (issue 7)."""

import datetime
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.urls import path, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kelayhteistyo import views
from tests import factories as f

BASE_DIR = Path(settings.BASE_DIR)


def log_in_with_password(client, user, password=f.PASSWORD):
    return client.post(reverse("login"), {"username": user.email, "password": password})


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


class TestHeaders:
    def test_pages_forbid_inline_scripts_styles_and_framing(self, client_as, alice):
        response = client_as(alice).get("/")
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"

    def test_pages_with_personal_data_are_not_stored_by_browsers(
        self, client_as, alice, youth, meeting
    ):
        client = client_as(alice)
        for url in [
            "/",
            reverse("cases:detail", args=[youth.pk]),
            reverse("meetings:detail", args=[meeting.pk]),
        ]:
            assert "no-store" in client.get(url)["Cache-Control"]

    def test_no_page_has_an_inline_script_or_style(self, client_as, alice, youth, meeting):
        client = client_as(alice)
        urls = [
            "/",
            reverse("cases:detail", args=[youth.pk]),
            reverse("cases:create"),
            reverse("meetings:create", args=[youth.pk]),
            reverse("meetings:detail", args=[meeting.pk]),
            reverse("otp_setup"),
        ]
        for url in urls:
            page = client.get(url).content.decode()
            assert not re.search(r"<script(?![^>]*\ssrc=)", page), url
            assert not re.search(r"<style|\sstyle=", page), url

    def test_check_deploy_passes_with_production_settings(self):
        env = {
            k: v
            for k, v in os.environ.items()
            if k
            not in {
                "DEBUG",
                "SECURE_SSL_REDIRECT",
                "STATICFILES_BACKEND",
                "DJANGO_ALLOW_ASYNC_UNSAFE",
            }
        }
        env["SECRET_KEY"] = "x" * 20 + "-production-like-secret-key-with-enough-entropy-1234567"
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr + result.stdout


class TestSessions:
    def test_a_session_ends_after_30_minutes_idle(self, client, alice):
        log_in_with_password(client, alice)
        assert client.get("/").status_code == 200
        with time_machine.travel(datetime.timedelta(minutes=25)):
            assert client.get("/").status_code == 200  # activity keeps it alive
        with time_machine.travel(datetime.timedelta(minutes=56)):
            response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")

    def test_a_session_ends_after_12_hours_however_active(self, client, alice):
        log_in_with_password(client, alice)
        for minutes in range(0, 12 * 60, 25):
            with time_machine.travel(datetime.timedelta(minutes=minutes)):
                assert client.get("/").status_code == 200
        with time_machine.travel(datetime.timedelta(hours=12, minutes=5)):
            response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")

    def test_logging_in_gives_a_new_session_key(self, client, alice):
        client.get(reverse("login"))
        client.post(reverse("set_language"), {"language": "sv", "next": "/login/"})
        before = client.session.session_key
        log_in_with_password(client, alice)
        assert client.session.session_key != before


class TestThrottling:
    def test_five_wrong_passwords_lock_the_account_with_a_clear_message(self, client, alice):
        for _ in range(5):
            response = log_in_with_password(client, alice, "väärä-salasana-123")
        response = log_in_with_password(client, alice)  # even the right password, now
        assert response.status_code == 429
        assert "15 minuutiksi" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_the_password_asked_again_cannot_be_guessed_either(self, client, alice):
        """At a computer left logged in, the re-check of the password locks like the login."""
        log_in_with_password(client, alice)
        for _ in range(4):
            wrong = client.post(reverse("reauthenticate"), {"password": "väärä", "next": "/"})
            assert wrong.status_code == 200 and wrong.context["form"].errors["password"]
        fifth = client.post(reverse("reauthenticate"), {"password": "väärä", "next": "/"})
        assert fifth.status_code == 429
        right = client.post(reverse("reauthenticate"), {"password": f.PASSWORD, "next": "/"})
        assert right.status_code == 429  # even the right password, now
        assert "15 minuutiksi" in right.content.decode()

    def test_a_successful_login_resets_the_count(self, client, alice):
        for _ in range(4):
            log_in_with_password(client, alice, "väärä-salasana-123")
        assert log_in_with_password(client, alice).status_code == 302


class TestTwoFactor:
    def test_a_coordinator_must_set_up_an_authenticator_app(self, client, coordinator):
        assert log_in_with_password(client, coordinator).status_code == 302
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/account/")
        setup = client.get(reverse("otp_setup"))
        assert b"<svg" in setup.content  # the QR code
        device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
        response = client.post(reverse("otp_setup"), {"token": "000000"})
        assert response.context["form"].errors["token"]
        # After a wrong code django-otp makes the next try wait a moment (throttling).
        with time_machine.travel(datetime.timedelta(seconds=5)):
            response = client.post(reverse("otp_setup"), {"token": totp_now(device)})
            codes = response.context["codes"]
            assert len(codes) == 10
            assert client.get("/").status_code == 200

        # The next login asks for the code; a backup code works once.
        client.post(reverse("logout"))
        log_in_with_password(client, coordinator)
        assert client.get("/")["Location"].startswith(reverse("otp_verify"))
        response = client.post(reverse("otp_verify"), {"token": codes[0], "next": "/"})
        assert response.status_code == 302
        assert client.get("/").status_code == 200
        client.post(reverse("logout"))
        log_in_with_password(client, coordinator)
        response = client.post(reverse("otp_verify"), {"token": codes[0], "next": "/"})
        assert response.status_code == 200 and response.context["form"].errors["token"]

    def test_a_worker_may_turn_it_on_and_is_then_asked_for_it(self, client, alice):
        log_in_with_password(client, alice)
        assert client.get("/").status_code == 200  # not required for a worker
        client.get(reverse("otp_setup"))
        device = TOTPDevice.objects.get(user=alice)
        client.post(reverse("otp_setup"), {"token": totp_now(device)})
        client.post(reverse("logout"))
        log_in_with_password(client, alice)
        assert client.get("/")["Location"].startswith(reverse("otp_verify"))


class TestReauthentication:
    def test_a_sensitive_download_asks_for_the_password_again_after_10_minutes(self, client, alice):
        from kelayhteistyo.access import recent_login_required

        log_in_with_password(client, alice)
        request = client.get("/").wsgi_request
        view = recent_login_required(lambda request: "the report")
        assert view(request) == "the report"
        with time_machine.travel(datetime.timedelta(minutes=11)):
            client.get("/")
            request = client.get("/").wsgi_request
            response = view(request)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("reauthenticate"))
            wrong = client.post(reverse("reauthenticate"), {"password": "väärä", "next": "/x/"})
            assert wrong.context["form"].errors["password"]
            right = client.post(reverse("reauthenticate"), {"password": f.PASSWORD, "next": "/"})
            assert right.status_code == 302
            assert view(client.get("/").wsgi_request) == "the report"


def _crash(request):
    raise RuntimeError("boom")


urlpatterns = [path("crash/", _crash)]
handler500 = views.server_error


class TestErrorPages:
    def test_an_unknown_page_answers_a_generic_404(self, client_as, alice):
        response = client_as(alice).get("/no-such-page/")
        assert response.status_code == 404
        assert "Sivua ei löytynyt" in response.content.decode()

    @override_settings(ROOT_URLCONF=__name__)
    def test_an_error_shows_an_incident_number_that_is_in_the_log(self, client, db, caplog):
        client.raise_request_exception = False
        with caplog.at_level(logging.ERROR, logger="kelayhteistyo.incident"):
            response = client.get("/crash/")
        assert response.status_code == 500
        incident = re.search(r'<strong translate="no">(\w+)</strong>', response.content.decode())
        assert incident and incident[1] in caplog.text
        assert "boom" not in response.content.decode()


@pytest.mark.parametrize("bad", ["/meetings/not-a-uuid/", "/young-people/123/"])
def test_an_invalid_id_answers_404_not_500(client_as, alice, bad):
    assert client_as(alice).get(bad).status_code == 404


def test_extra_fields_in_a_post_change_nothing(client_as, alice, bob, youth):
    """Mass assignment: fields that are not on the form are ignored."""
    from cases.models import YouthClient

    data = {
        "first_name": "Uusi",
        "last_name": "Nimi",
        "date_of_birth": youth.date_of_birth.isoformat(),
        "client_group": "aftercare",
        "language": youth.language_id,
        "responsible_worker": alice.pk,
        "status": "active",
        "organisation": bob.organisation_id,
        "role": "admin",
        "is_staff": "on",
        "id": "00000000-0000-0000-0000-000000000000",
    }
    client = client_as(alice)
    assert client.post(reverse("cases:edit", args=[youth.pk]), data).status_code == 302
    youth.refresh_from_db()
    assert youth.first_name == "Uusi" and youth.organisation_id == alice.organisation_id
    client.post(reverse("cases:create"), {**data, "first_name": "Toinen"})
    created = YouthClient.objects.get(first_name="Toinen")
    assert created.organisation_id == alice.organisation_id
    client.post(reverse("set_language"), {"language": "sv", "role": "admin", "is_staff": "on"})
    alice.refresh_from_db()
    assert alice.role == "aftercare_worker" and not alice.is_staff


def test_html_typed_by_a_user_is_shown_as_text(client_as, alice, youth):
    youth.first_name = '<script>alert("x")</script>'
    youth.save()
    page = client_as(alice).get(reverse("cases:detail", args=[youth.pk])).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_an_oversized_request_is_refused_cleanly(client_as, alice):
    response = client_as(alice).post(
        reverse("cases:create"), {"first_name": "x" * (3 * 1024 * 1024)}
    )
    assert response.status_code == 400


def test_every_admin_page_opened_is_logged(client, caplog, youth, alice):
    """The admin shows some personal data (the access log names whose data was read): who
    opened which admin page, and when, is in the log."""
    admin_user = f.UserFactory(role="admin", is_staff=True, is_superuser=True, organisation=None)
    client = f.log_in(client, admin_user)
    with caplog.at_level(logging.INFO, logger="kelayhteistyo.admin_access"):
        response = client.get("/admin/kelayhteistyo/accesslog/?q=Virtanen&o=1")
        client.get(reverse("home"))  # the app's own pages: in the access log, not here
    assert response.status_code == 200
    # (Every request also has its line in kelayhteistyo.request: ids, view, status only.)
    (record,) = [r for r in caplog.records if r.name == "kelayhteistyo.admin_access"]
    # The search text (often a name) and the admin's e-mail address stay out of the log.
    assert record.getMessage() == (
        f"admin GET /admin/kelayhteistyo/accesslog/ ?o,q by user {admin_user.pk}: 200"
    )
