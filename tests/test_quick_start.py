"""`make run` on a fresh machine: its SQLite database migrated from nothing and the demo
seeded, then the demo roles' first pages and a feedback answer (tests/quick_start.py, in a
process of its own: the suite's database is PostgreSQL). Two migrations and the results'
summary rows once spoke only PostgreSQL, and the quick start failed at `migrate`."""

import os
import subprocess
import sys
from pathlib import Path


def test_the_quick_start_migrates_seeds_and_serves_the_demo(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    script = Path(__file__).with_name("quick_start.py")
    done = subprocess.run(  # noqa: S603 — our own script
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")
