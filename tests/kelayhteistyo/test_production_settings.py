"""Production does not start half-configured (issue 21): each missing required setting is one
clear line, and `manage.py` (like gunicorn and Celery, which read the same settings) stops."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")


def manage_check(**changes):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", *REQUIRED}}
    env.update(
        SECRET_KEY="x" * 20 + "-production-like-secret-key-with-enough-entropy-1234567",
        ALLOWED_HOSTS="yhteistyo.example.fi",
        DATABASE_URL="sqlite:///:memory:",
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name)
        else:
            env[name] = value
    return subprocess.run(  # noqa: S603 — our own manage.py
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_with_every_setting_production_starts():
    result = manage_check()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("value", [None, "", "  "])
def test_a_missing_setting_stops_the_start_with_one_line(name, value):
    result = manage_check(**{name: value})
    assert result.returncode == 78
    assert result.stderr.splitlines() == [
        f"Missing setting {name} ({_hint(name)}): set it in the environment."
    ]
    assert "Traceback" not in result.stderr + result.stdout


def test_each_missing_setting_has_its_own_line():
    result = manage_check(SECRET_KEY=None, ALLOWED_HOSTS=None, DATABASE_URL=None)
    assert result.returncode == 78
    lines = result.stderr.splitlines()
    assert [line.split(" (")[0] for line in lines] == [f"Missing setting {n}" for n in REQUIRED]


def test_the_quick_start_needs_none_of_them():
    result = manage_check(DEBUG="1", SECRET_KEY=None, ALLOWED_HOSTS=None, DATABASE_URL=None)
    assert result.returncode == 0, result.stderr


def _hint(name):
    return {
        "SECRET_KEY": "the key that signs sessions, a long random string",
        "ALLOWED_HOSTS": "the service's host names, comma-separated",
        "DATABASE_URL": "postgres://<application role>:<password>@<host>:5432/<database>",
    }[name]
