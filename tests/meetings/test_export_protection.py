"""The exported plan documents are protected (issue 15, finding 8): the client plan document asks
for the password again like the access report; the stored files are the app's own (0600/0700)."""

import datetime
import os
import stat
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from kelayhteistyo.models import AccessLog
from meetings import pdf, services
from meetings.models import PlanExport
from tests import factories as f

URL = "meetings:plan_export_download"


@pytest.fixture
def plan(youth, alice, kela, consent):
    held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    return services.plan_save(
        meeting=held, fields={"summary": "Haetaan opintotukea"}, version=None, by=alice
    )


@pytest.fixture
def exports(plan, alice):
    """The client plan document with the identity code, and the plain-language copy."""
    official = pdf.plan_export(
        plan, variant="official", language="fi", by=alice, include_identity_code=True
    )
    plain = pdf.plan_export(plan, variant="plain", language="fi", by=alice)
    return official, plain


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)  # read to the end: the client closes the file


def download_reads(user) -> int:
    return AccessLog.objects.filter(user=user, action="read", object_type="planexport").count()


def test_the_client_plan_document_asks_for_the_password_again_after_10_minutes(
    client_as, alice, exports
):
    official, _plain = exports
    assert official.includes_identity_code
    client = client_as(alice)
    url = reverse(URL, args=[official.plan.meeting_id, official.pk])
    assert downloaded(client.get(url)).startswith(b"%PDF")  # just logged in
    with time_machine.travel(datetime.timedelta(minutes=11)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("reauthenticate"))
        assert download_reads(alice) == 1  # nothing read without the password
        confirmed = client.post(reverse("reauthenticate"), {"password": f.PASSWORD, "next": url})
        assert confirmed["Location"] == url
        assert downloaded(client.get(url)).startswith(b"%PDF")
        assert download_reads(alice) == 2


def test_the_plain_copy_downloads_without_asking_again(client_as, alice, kela, exports):
    """It holds no identity code, and the Kela contact downloads it: no second password."""
    _official, plain = exports
    url = reverse(URL, args=[plain.plan.meeting_id, plain.pk])
    alice_client = client_as(alice)
    with time_machine.travel(datetime.timedelta(minutes=11)):
        assert downloaded(alice_client.get(url)).startswith(b"%PDF")
    kela_client = client_as(kela)
    with time_machine.travel(datetime.timedelta(minutes=11)):
        assert downloaded(kela_client.get(url)).startswith(b"%PDF")


@pytest.fixture
def usual_umask():
    """The usual 022, so that the test fails if the files are left as the umask makes them."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_stored_documents_are_readable_by_the_app_only(usual_umask, exports):
    for export in exports:
        path = Path(export.file.path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, export.variant
        folder = path.parent
        while folder != Path(settings.MEDIA_ROOT):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
            folder = folder.parent
    assert PlanExport.objects.count() == 2
