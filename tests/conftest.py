"""The cast (STYLE.md): workers of organisations A and B, an invited and an uninvited Kela
contact, a coordinator, anonymous. Tests run with production settings (see pyproject.toml)."""

import datetime
import logging
import os
import re

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from tests import factories as f

# Connections are not kept between requests in tests (production keeps each for DB_CONN_MAX_AGE
# seconds, docs/operations.md; `make smoke` runs it so): the live server's threads would hold
# theirs as long as the browser's keep-alive connection lasts, and the test database could not
# be dropped at the end. The Celery workers the tests start inherit it.
django_settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
os.environ["DB_CONN_MAX_AGE"] = "0"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.LANGUAGE_CODE = "fi"
    settings.MEDIA_ROOT = tmp_path / "media"  # exported documents
    # Argon2 is slow on purpose; tests hash hundreds of passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org_a(db):
    return f.OrganisationFactory(name="Hyvinvointialue A")


@pytest.fixture
def org_b(db):
    return f.OrganisationFactory(name="Hyvinvointialue B")


@pytest.fixture
def alice(org_a):
    """An aftercare worker of organisation A, who owns the young person."""
    return f.WorkerFactory(organisation=org_a, first_name="Alice")


@pytest.fixture
def bob(org_b):
    """An aftercare worker of organisation B: an outsider to A's young people."""
    return f.WorkerFactory(organisation=org_b, first_name="Bob")


@pytest.fixture
def kela(db):
    """The Kela contact person invited to the meeting."""
    return f.KelaContactFactory(first_name="Kaisa")


@pytest.fixture
def kela_other(db):
    """A Kela contact person invited to nothing."""
    return f.KelaContactFactory(first_name="Jukka")


@pytest.fixture
def coordinator(db):
    return f.CoordinatorFactory()


@pytest.fixture
def youth(alice):
    return f.YouthFactory(organisation=alice.organisation, responsible_worker=alice)


@pytest.fixture
def consent(youth, alice):
    return f.ConsentFactory(youth=youth, recorded_by=alice)


@pytest.fixture
def tomorrow_10():
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


@pytest.fixture
def meeting(youth, alice, kela, consent, tomorrow_10):
    """A meeting to which `kela` is invited (pending)."""
    return f.invited_meeting(youth=youth, organiser=alice, kela=kela, starts_at=tomorrow_10)


@pytest.fixture
def client_as(client):
    def login(user):
        return f.log_in(client, user)

    return login


IDENTITY_CODE = re.compile(r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b", re.IGNORECASE)


class _Everything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record):
        text = self.format(record)
        if IDENTITY_CODE.search(text):
            self.leaks.append(text)


@pytest.fixture(scope="session", autouse=True)
def no_identity_code_in_any_log():
    """Everything the app logs during the whole suite is scanned for identity codes (the
    suite enters valid and invalid ones in forms, URLs are checked by the tests themselves)."""
    handler = _Everything()
    root = logging.getLogger()
    root.addHandler(handler)
    yield
    root.removeHandler(handler)
    assert not handler.leaks, f"identity codes in the logs: {handler.leaks[:3]}"
