"""`make run`'s test identity provider: pick a demo young person, continue, signed in."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cases import devidp

from .conftest import HETU


@pytest.fixture
def local(settings, tmp_path):
    folder = tmp_path / "saml-test"
    settings.DEBUG = True
    settings.SAML_TEST_IDP = True
    settings.SAML_TEST_IDP_FOLDER = folder
    settings.SAML_IDP_METADATA = str(folder / "idp-metadata.xml")
    settings.SAML_SP_KEY_FILE = str(folder / "sp.key")
    settings.SAML_SP_CERT_FILE = str(folder / "sp.crt")
    call_command("saml_test_idp")
    devidp._local.clear()
    yield folder
    devidp._local.clear()


@pytest.mark.urls("tests.own.urls_local_idp")
def test_a_demo_young_person_signs_in_through_the_local_provider(client, local, own_youth):
    redirect = client.get(reverse("own:saml_login"))["Location"]
    url = urlsplit(redirect)
    assert url.path == "/testi-tunnistus/sso/"
    choose = client.get(f"{url.path}?{url.query}").content.decode()
    assert f"{own_youth.first_name} {own_youth.last_name} ({HETU})" in choose
    answer = client.post(url.path, {"code": HETU}).content.decode()
    saml_response = re.search(r'name="SAMLResponse" value="([^"]+)"', answer).group(1)
    relay = re.search(r'name="RelayState" value="([^"]*)"', answer).group(1)
    done = client.post(
        reverse("own:saml_acs"), {"SAMLResponse": saml_response, "RelayState": relay}
    )
    assert done["Location"] == reverse("own:page")
    assert f"Hei {own_youth.first_name}!" in client.get(reverse("own:page")).content.decode()


def test_the_keys_are_kept_across_restarts(local):
    key = (local / "idp.key").read_bytes()
    call_command("saml_test_idp")
    assert (local / "idp.key").read_bytes() == key


def test_the_local_provider_is_for_the_quick_start_only(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("saml_test_idp")


def test_the_quick_start_settings_load_with_the_test_provider(tmp_path):
    """`make run` starts with SAML_TEST_IDP=1 and the default folder: the settings must load
    (they failed once on the folder's type) and the command makes the keys."""
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {
        **os.environ,
        "DEBUG": "1",
        "SAML_TEST_IDP": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SAML_TEST_IDP_FOLDER": str(tmp_path / "saml"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = str(django_settings.BASE_DIR / "manage.py")
    done = subprocess.run(  # noqa: S603 — our own command
        [sys.executable, manage, "saml_test_idp"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "saml" / "idp-metadata.xml").exists()
    env.pop("SAML_TEST_IDP_FOLDER")  # the default folder, as make run uses it
    checked = subprocess.run(  # noqa: S603 — our own command
        [sys.executable, manage, "check"], env=env, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
