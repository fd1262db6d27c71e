"""Benchmark: rendering the follow-up plan as the client plan PDF/A-3b.

The floor is WeasyPrint itself: the 2-page plan's HTML, rendered once, handed to WeasyPrint
directly (the same archival format and the plan.json attachment). Beside it, side by side in
one run, the app's whole export of the same plan (`meetings.pdf.plan_export`: the data, the
template, the JSON, the render in its time-limited thread, the hash, storing the file and the
access-log row). Targets (issue 20): the export ≤ 250 ms warm and ≤ 1.25× the floor.
Also printed: a minimal one-line PDF/A and a plan with 60 action items (for comparison; the
old "≤ 2× a one-line PDF" measured WeasyPrint's cost per element, not ours).
Uses its own SQLite file and media folder; run with `make bench`.
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
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.results import record  # noqa: E402
from kelayhteistyo.pdf import STATIC_PREFIX, _fetcher, render_pdf  # noqa: E402
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
            youth_id=held.youth_id,
            organisation_id=held.organisation_id,
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


def side_by_side(first, second, repeats: int = 15) -> tuple[float, float]:
    """The medians of two renders taken in turns, so that a slower moment of a shared machine
    falls on both (WeasyPrint's own time varies by a tenth from one minute to the next)."""
    first()
    second()
    times: tuple[list, list] = ([], [])
    for _ in range(repeats):
        for render, kept in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            render()
            kept.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def weasyprint_alone(plan, worker):
    """A function that renders the plan's own HTML with WeasyPrint directly (the floor)."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.template.loader import render_to_string
    from django.utils import timezone, translation
    from weasyprint import HTML, Attachment

    plan = pdf._plan(plan)
    rounds = pdf.review_rounds(plan)
    data = pdf.plan_data(plan, include_identity_code=False, rounds=rounds)
    context = {  # as meetings.pdf.render's: the same HTML
        "rounds": rounds,
        "plan": plan,
        "meeting": plan.meeting,
        "youth": plan.meeting.youth,
        "items": plan.items.all(),
        "participants": [p for p in plan.meeting.participants.all() if not p.is_removed],
        "include_identity_code": False,
        "by": worker,
        "now": timezone.now(),
        "number": 1,
        "consent": plan.meeting.consent,
    }
    with translation.override("fi"):
        html = render_to_string("meetings/plan_pdf.html", context)
    attachment = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)

    def render():
        files = [
            Attachment(
                string=attachment,
                name="plan.json",
                description="The follow-up plan as data",
                relationship="Data",
                url_fetcher=_fetcher(),
            )
        ]
        document = HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=_fetcher())
        return document.write_pdf(pdf_variant="pdf/a-3b", attachments=files)

    return render


def main():
    from io import BytesIO

    from pypdf import PdfReader

    call_command("migrate", verbosity=0)
    two_pages, worker = plan_with(items=12, summary_words=250)
    sixty, _worker = plan_with(items=60, summary_words=50)

    def export(plan):
        return pdf.plan_export(plan, variant="official", language="fi", by=worker)

    floor_render = weasyprint_alone(two_pages, worker)
    pages = len(PdfReader(BytesIO(floor_render())).pages)
    floor, exported = side_by_side(floor_render, lambda: export(two_pages))
    ratio = exported / floor
    print(
        f"2-page plan ({pages} pages), WeasyPrint alone on its HTML: {floor * 1000:7.1f} ms median"
    )
    print(
        f"2-page plan, the app's export (data, template, JSON, hash, storage): "
        f"{exported * 1000:7.1f} ms median, {ratio:.2f} × WeasyPrint alone"
    )
    print("targets: the export ≤ 250 ms and ≤ 1.25 × WeasyPrint alone")
    record("PDF: 2-page plan, WeasyPrint alone (floor)", floor * 1000, "ms")
    ours = f"the app's own part {(exported - floor) * 1000:.0f} ms of {exported * 1000:.0f} ms"
    record(
        "PDF: 2-page plan, the app's export",
        exported * 1000,
        "ms",
        "≤ 250 ms",
        exported <= 0.25,
        why=f"WeasyPrint alone took {floor * 1000:.0f} ms on the same HTML in this run ({ours}):"
        " a slow machine's second; the ratio beside it compares",
    )
    record(
        "PDF: export / WeasyPrint alone",
        ratio,
        "×",
        "≤ 1.25",
        ratio <= 1.25,
        why=f"{ours}: data, template, JSON, hash and storage",
    )

    # For comparison: a one-line PDF/A-3b and a long plan.
    minimal = median(lambda: render_pdf("bench/minimal.html", {}, pdf_variant="pdf/a-3b"))
    long_plan = median(lambda: export(sixty))
    print(f"minimal one-line PDF: {minimal * 1000:7.1f} ms median")
    print(f"plan with 60 action items, the app's export: {long_plan * 1000:7.1f} ms median")
    record("PDF: one-line PDF/A (for comparison)", minimal * 1000, "ms")
    record("PDF: plan with 60 action items, export", long_plan * 1000, "ms")


if __name__ == "__main__":
    main()
