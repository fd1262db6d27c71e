"""Organisations' own login in a real browser (issue 21): the worker clicks their organisation's
button, logs in at the organisation's login service (a real OpenID Connect provider started
here, tests/oidc_provider.py), and is back in the app, logged in; when the service is down the
page says so and leads to the password login. Screenshots go to test-artifacts/screenshots/."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, expect

from kelayhteistyo.models import OrganisationIdentityProvider
from tests import factories as f
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_flow import SCREENSHOTS, screenshot
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running, tls_files


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_worker_logs_in_through_the_organisations_login_service(
    live_server, browser: Browser, monkeypatch
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    cache.clear()
    # The app trusts the provider's certificate as it would a private CA's.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_files()[0])
    with running([f"{live_server.url}/login/org/callback/"]) as idp:
        org = f.OrganisationFactory(name="Pohjanmaan hyvinvointialue")
        worker = f.WorkerFactory(organisation=org, first_name="Outi", last_name="Ojala")
        OrganisationIdentityProvider.objects.create(
            organisation=org, issuer=idp.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        )
        idp.add_user("outi", "idp-salasana", worker.email)
        # The provider's certificate is self-signed: the browser is told to accept it.
        context = browser.new_context(
            ignore_https_errors=True,
            viewport={"width": 1280, "height": 900},
            locale="fi-FI",
            timezone_id="Europe/Helsinki",
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/login/")
        screenshot(page, "21-oidc-1-login-page")
        assert axe_violations(page) == []
        page.get_by_role("link", name="Kirjaudu: Pohjanmaan hyvinvointialue").click()

        # At the organisation's own login page.
        expect(page.get_by_role("heading", name="Organisation login")).to_be_visible()
        page.get_by_label("User name").fill("outi")
        page.get_by_label("Password").fill("idp-salasana")
        page.get_by_role("button", name="Sign in").click()

        # Back in the app, logged in as the worker, on the home page.
        expect(page.locator("header")).to_contain_text("Outi Ojala")
        assert page.url.startswith(live_server.url)
        screenshot(page, "21-oidc-2-logged-in")
        page.locator("header").locator("form[action='/logout/'] button").click()
        expect(page).to_have_url(f"{live_server.url}/login/")
        # The organisation last used on this browser comes first, as the main action.
        first = page.locator("section[aria-labelledby=org-login-title] a").first
        expect(first).to_have_text("Kirjaudu: Pohjanmaan hyvinvointialue")
        expect(first).to_have_class(re.compile(r"\bbtn-primary\b"))

        # The service goes down: a clear page, the way to try again and to a password.
        idp.stop()
        page.get_by_role("link", name="Kirjaudu: Pohjanmaan hyvinvointialue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Organisaation Pohjanmaan hyvinvointialue kirjautumispalvelu ei vastaa"
        )
        screenshot(page, "21-oidc-3-provider-down")
        assert axe_violations(page) == []
        page.get_by_role("link", name="Kirjaudu tämän palvelun salasanalla").click()
        expect(page.get_by_label("Sähköpostiosoite")).to_be_visible()
        context.close()
