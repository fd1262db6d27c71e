"""Benchmark: rendering the follow-up plan as the client plan PDF/A-3b.

Prints the median render time of a minimal one-line PDF/A-3b (WeasyPrint's fixed cost for this
kind of document: the same stylesheet, fonts and archival format), of a 2-page
plan and of a plan with 60 action items, each as a ratio to the minimal one, measured side by
side in one run. Targets: a 2-page plan ≤ 1.0 s median and ≤ 2× the minimal PDF.
Uses its own SQLite file; run with `make bench`.
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench-pdf.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kelayhteistyo.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["CELERY_BROKER_URL"] = "memory://"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from kelayhteistyo.pdf import render_pdf  # noqa: E402
from meetings import pdf, services  # noqa: E402
from meetings.models import ActionItem  # noqa: E402
from tests import factories as f  # noqa: E402

REPEATS = 7


def plan_with(items: int, summary_words: int):
    worker = f.WorkerFactory()
    kela = f.KelaContactFactory()
    youth = f.YouthFactory(organisation=worker.organisation, responsible_worker=worker)
    f.ConsentFactory(youth=youth, recorded_by=worker)
    held = f.held_meeting(youth=youth, organiser=worker, kela=kela)
    plan = services.plan_save(
        meeting=held,
        fields={
            "summary": " ".join(["yhteenveto"] * summary_words),
            "review_date": timezone.localdate() + datetime.timedelta(days=30),
        },
        version=None,
        by=worker,
    )
    owner = held.participants.get(kind="young_person")
    ActionItem.objects.bulk_create(
        ActionItem(
            plan=plan,
            owner=owner,
            what=f"Tehtävä {i}",
            due_date=timezone.localdate() + datetime.timedelta(days=i),
        )
        for i in range(items)
    )
    return plan, worker


def median(render) -> float:
    render()  # warm up: fonts and styles are loaded once per process
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        render()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    call_command("migrate", verbosity=0)
    two_pages, worker = plan_with(items=12, summary_words=250)
    sixty, _worker = plan_with(items=60, summary_words=50)

    def official(plan):
        return pdf.render(plan, variant="official", language="fi", by=worker, number=1)

    # The same kind of document with one line: PDF/A-3b, the same stylesheet and fonts.
    minimal = median(lambda: render_pdf("bench/minimal.html", {}, pdf_variant="pdf/a-3b"))
    results = {
        "2-page plan": (median(lambda: official(two_pages)), official(two_pages)),
        "60 action items": (median(lambda: official(sixty)), official(sixty)),
    }
    print(f"minimal one-line PDF: {minimal * 1000:7.1f} ms median")
    for name, (seconds, content) in results.items():
        from io import BytesIO

        from pypdf import PdfReader

        pages = len(PdfReader(BytesIO(content)).pages)
        print(
            f"{name:>16} ({pages} pages): {seconds * 1000:7.1f} ms median, "
            f"{seconds / minimal:.2f} × the minimal PDF"
        )
    print("targets: the 2-page plan ≤ 1000 ms and ≤ 2.00 × the minimal PDF")


if __name__ == "__main__":
    main()
