"""A SAML identity provider started inside the tests (pysaml2, signing with xmlsec1): its keys
and metadata and the service's keys are made in a temporary folder for each test."""

import pytest
from django.urls import reverse
from saml2.metadata import entity_descriptor

from cases.devidp import TestIdentityProvider
from cases.own import sp_config

HETU = "131052-308T"


@pytest.fixture
def idp(settings, tmp_path):
    provider = TestIdentityProvider(tmp_path / "saml")
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    provider.trust_service(str(entity_descriptor(sp_config())))
    return provider


@pytest.fixture
def own_youth(youth):
    type(youth).objects.filter(pk=youth.pk).update(identity_code=HETU)
    youth.refresh_from_db()
    return youth


def start(client, idp):
    """The browser asks to sign in and is sent to the identity provider."""
    response = client.get(reverse("own:saml_login"))
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(idp.sso_url)
    return idp.receive(response["Location"])


def finish(client, request, saml_response):
    return client.post(
        reverse("own:saml_acs"),
        {"SAMLResponse": saml_response, "RelayState": request.relay_state},
    )


def sign_in(client, idp, code=HETU):
    request = start(client, idp)
    return finish(client, request, idp.answer(request, code))
