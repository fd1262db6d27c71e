"""The change history (django-auditlog) of what gives a user access, and of the identity code
(issue 15, finding 9): who changed a role, an organisation or the admin flags, and when; a new
young person's history shows no identity code "before"."""

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry

from kelayhteistyo.models import User
from tests import factories as f

CODE = "131052-308T"  # a valid test code
ACCESS_FIELDS = {"role", "organisation", "is_superuser", "is_staff", "is_active"}


def history(obj) -> list[dict]:
    return [e.changes_dict for e in LogEntry.objects.get_for_object(obj).order_by("timestamp")]


@pytest.mark.django_db
def test_a_new_young_person_has_no_identity_code_before():
    with_code = f.YouthFactory(identity_code=CODE)
    without = f.YouthFactory(identity_code="")
    assert history(with_code)[0]["identity_code"] == ["None", "********"]
    assert history(without)[0]["identity_code"] == ["None", ""]
    assert history(with_code)[0]["first_name"][0] == "None"  # as for every field of a new record

    with_code.identity_code = "131052-309U"
    with_code.save()
    with_code.identity_code = ""
    with_code.save()
    without.identity_code = CODE
    without.save()
    assert [h["identity_code"] for h in history(with_code)[1:]] == [
        ["********", "********"],
        ["********", ""],
    ]
    assert history(without)[1]["identity_code"] == ["", "********"]
    everything = str(history(with_code) + history(without))
    assert "308T" not in everything and "131052" not in everything


def test_what_gives_a_user_access_is_in_the_change_history(alice, org_a, org_b):
    admin = f.UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    with set_actor(admin):
        alice.role = User.Role.COORDINATOR
        alice.organisation = org_b
        alice.is_staff = alice.is_superuser = True
        alice.save()
        alice.is_active = False
        alice.save()
    created, moved, locked = LogEntry.objects.get_for_object(alice).order_by("timestamp")
    assert set(created.changes_dict) <= ACCESS_FIELDS
    assert moved.actor == admin and locked.actor == admin
    assert moved.changes_dict == {
        "role": [User.Role.AFTERCARE_WORKER, User.Role.COORDINATOR],
        "organisation": [str(org_a.pk), str(org_b.pk)],
        "is_staff": ["False", "True"],
        "is_superuser": ["False", "True"],
    }
    assert locked.changes_dict == {"is_active": ["True", "False"]}


def test_nothing_else_about_a_user_enters_the_change_history(client_as, alice):
    before = LogEntry.objects.get_for_object(alice).count()
    alice.first_name = "Alicia"
    alice.set_password("toinen-hyva-salasana-43")
    alice.save()
    client_as(alice)  # logging in stores last_login
    assert LogEntry.objects.get_for_object(alice).count() == before
    assert "argon2" not in str(history(alice)) and "md5" not in str(history(alice))
