"""The follow-up plan exported into the client plan (issue 4): real PDFs, read back."""

import datetime
import hashlib
import json
from io import BytesIO
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kelayhteistyo.models import AccessLog
from meetings import pdf, services
from meetings.models import ActionItem, FollowUpPlan, PlanExport, Review
from tests import factories as f

DOCS = Path(settings.BASE_DIR) / "docs"
SCHEMA = json.loads((DOCS / "plan-export-v2.schema.json").read_text())
SCHEMA_V1 = json.loads((DOCS / "plan-export-v1.schema.json").read_text())


def validate(data: dict, schema: dict) -> None:
    """Against the schema, dates and times included (not checked by default)."""
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(data)


def stored(export: PlanExport) -> bytes:
    with export.file.open("rb") as file:
        return file.read()


def downloaded(response) -> bytes:
    # Read to the end: the test client then closes the file (calling response.close() here
    # would also close the test's database connection, as a finished request does).
    return b"".join(response.streaming_content)


def text_of(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def plan(youth, alice, kela, consent):
    held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    plan = services.plan_save(
        meeting=held,
        fields={
            "summary": "Käytiin läpi opintotuki ja asumistuki.",
            "kela_cooperation": "yes",
            "kela_cooperation_how": "Kela auttaa hakemuksissa",
            "review_date": timezone.localdate() + datetime.timedelta(days=30),
        },
        version=None,
        by=alice,
    )
    due = timezone.localdate() + datetime.timedelta(days=10)
    for owner, what in (
        (held.participants.get(kind="young_person"), "Hakee opintotukea"),
        (f.kela_participant(held, kela), "Selvittää asumistuen liitteet"),
    ):
        ActionItem.objects.create(plan=plan, owner=owner, what=what, due_date=due)
    plan.refresh_from_db()
    return plan


def export(client, plan, **data):
    return client.post(
        reverse("meetings:plan_export", args=[plan.meeting_id]),
        {"variant": "official", "language": "fi", **data},
    )


def test_the_client_plan_document_is_pdf_a_3b_with_the_plan_inside(client_as, alice, plan):
    response = export(client_as(alice), plan)
    assert response.status_code == 302
    e = PlanExport.objects.get()
    content = stored(e)
    assert hashlib.sha256(content).hexdigest() == e.sha256

    text = text_of(content)
    youth = plan.meeting.youth
    assert youth.full_name in text
    assert "Hakee opintotukea" in text and "Selvittää asumistuen liitteet" in text
    assert plan.review_date.strftime("%-d.%-m.%Y") in text
    assert "1 / 1" in text or "1 / 2" in text  # page n / N
    assert "Versio 1" in text  # the footer: version, time, who

    reader = PdfReader(BytesIO(content))
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode()
    assert 'pdfaid:part="3"' in raw and 'pdfaid:conformance="B"' in raw  # PDF/A-3b

    (attachment,) = reader.attachments["plan.json"]
    data = json.loads(attachment)
    validate(data, SCHEMA)
    assert data["schema_version"] == 2 and data["reviews"] == []
    assert data["summary"] == plan.summary
    assert [i["what"] for i in data["action_items"]] == [
        "Hakee opintotukea",
        "Selvittää asumistuen liitteet",
    ]
    assert data["review_date"] == plan.review_date.isoformat()
    assert data["young_person"]["identity_code"] is None
    assert AccessLog.objects.filter(user=alice, action="export").exists()


def test_exporting_again_after_a_change_makes_the_next_version_and_keeps_the_old(
    client_as, alice, plan
):
    client = client_as(alice)
    export(client, plan)
    services.plan_save(
        meeting=plan.meeting,
        fields={"summary": "Muutettu yhteenveto"},
        version=plan.version,
        by=alice,
    )
    export(client, plan)
    first, second = PlanExport.objects.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert second.plan_version == first.plan_version + 1
    old = client.get(reverse("meetings:plan_export_download", args=[plan.meeting_id, first.pk]))
    assert "Muutettu" not in text_of(downloaded(old))
    page = client.get(reverse("meetings:plan", args=[plan.meeting_id])).content.decode()
    assert "(versio 2)" in page and "(versio 1)" in page


def test_the_identity_code_is_in_the_document_only_when_ticked(client_as, alice, plan):
    youth = plan.meeting.youth
    youth.date_of_birth = datetime.date(2005, 10, 13)
    youth.identity_code = "131005A9957"  # a valid test code (individual number 995)
    youth.save()
    export(client_as(alice), plan)
    export(client_as(alice), plan, include_identity_code="on")
    without, with_code = PlanExport.objects.order_by("number")
    assert "131005A9957" not in text_of(stored(without))
    assert "131005A9957" in text_of(stored(with_code))
    assert with_code.includes_identity_code


def test_the_plain_language_copy_speaks_to_the_young_person(client_as, alice, plan):
    export(client_as(alice), plan, variant="plain", language="sv")
    e = PlanExport.objects.get(variant="plain")
    text = text_of(stored(e))
    assert f"Det här kom vi överens om, {plan.meeting.youth.first_name}" in text
    assert "Du ska:" in text and "FPA ska:" in text
    assert "scope_" not in text and "kela_contact" not in text


def test_kela_downloads_only_the_plain_copy_and_only_with_consent(
    client_as, alice, kela, plan, consent
):
    client = client_as(alice)
    export(client, plan)
    export(client, plan, variant="plain")
    official = PlanExport.objects.get(variant="official")
    plain = PlanExport.objects.get(variant="plain")
    url = "meetings:plan_export_download"
    kela_client = client_as(kela)
    assert kela_client.get(reverse(url, args=[plan.meeting_id, official.pk])).status_code == 404
    download = kela_client.get(reverse(url, args=[plan.meeting_id, plain.pk]))
    assert download.status_code == 200 and text_of(downloaded(download))
    assert AccessLog.objects.filter(user=kela, action="disclose", object_type="planexport").exists()
    type(consent).objects.filter(pk=consent.pk).update(scope_share_plan=False)
    assert kela_client.get(reverse(url, args=[plan.meeting_id, plain.pk])).status_code == 404


def test_text_is_shown_literally_and_nothing_is_fetched(client_as, alice, plan):
    plan.summary = '<script>alert(1)</script><img src="file:///etc/passwd"> http://10.0.0.1/x'
    plan.save()
    export(client_as(alice), plan)
    text = text_of(stored(PlanExport.objects.get()))
    assert '<script>alert(1)</script><img src="file:///etc/passwd">' in text


def test_a_long_plan_wraps_across_pages_and_repeats_the_table_header(client_as, alice, plan):
    plan.summary = ("Pitkä yhteenveto, joka jatkuu ja jatkuu. " * 130)[:5000]
    plan.save()
    owner = plan.meeting.participants.get(kind="young_person")
    ActionItem.objects.bulk_create(
        ActionItem(plan=plan, owner=owner, what=f"Tehtävä numero {i}") for i in range(58)
    )
    export(client_as(alice), plan)
    reader = PdfReader(BytesIO(stored(PlanExport.objects.get())))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    assert "Tehtävä numero 57" in " ".join(pages)
    with_table = [p for p in pages if "Tehtävä numero" in p]
    assert len(with_table) >= 2 and all("Kuka" in p and "Mitä" in p for p in with_table)


def test_names_in_any_script_have_glyphs(client_as, alice, plan):
    youth = plan.meeting.youth
    youth.first_name, youth.last_name = "أحمد", "ሰላም Åkerö"  # Arabic, Tigrinya, Swedish
    youth.save()
    export(client_as(alice), plan)
    reader = PdfReader(BytesIO(stored(PlanExport.objects.get())))
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/BaseFont" in font.get_object()
        for font in [font.get_object()]
    }
    assert any("DejaVu" in name for name in fonts)
    assert any("Abyssinica" in name for name in fonts)  # Ethiopic script
    text = text_of(stored(PlanExport.objects.get()))
    assert "Åkerö" in text and "ሰላም" in text


def test_past_the_time_limit_the_user_gets_a_message_and_nothing_is_saved(
    client_as, alice, plan, settings
):
    settings.PDF_TIMEOUT = 0.001
    response = export(client_as(alice), plan)
    assert not PlanExport.objects.exists()
    page = client_as(alice).get(response["Location"]).content.decode()
    assert "kesti liian kauan" in page


def test_render_without_a_request_for_the_benchmark(alice, plan):
    content = pdf.render(plan, variant="official", language="fi", by=alice, number=1)
    assert content.startswith(b"%PDF")


def test_an_export_stored_while_another_renders_takes_the_next_number(alice, plan, monkeypatch):
    """Rendering holds no lock: an export finished meanwhile keeps its number, and the slower
    one renders again with the next number, so every file says the version it is stored as."""
    real_render = pdf.render
    raced = []

    def render_with_a_rival(*args, **kwargs):
        if not raced:  # a colleague's export finishes while this one renders
            raced.append(None)
            raced[0] = pdf.plan_export(plan, variant="official", language="fi", by=alice)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(pdf, "render", render_with_a_rival)
    mine = pdf.plan_export(plan, variant="official", language="fi", by=alice)
    assert (raced[0].number, mine.number) == (1, 2)
    assert "Versio 1" in text_of(stored(raced[0]))
    assert "Versio 2" in text_of(stored(mine))


def test_an_export_that_keeps_losing_the_race_saves_nothing_and_says_so(
    client_as, alice, plan, monkeypatch
):
    real_render = pdf.render

    def render_while_the_plan_changes(*args, **kwargs):
        FollowUpPlan.objects.filter(pk=plan.pk).update(version=F("version") + 1)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(pdf, "render", render_while_the_plan_changes)
    response = export(client_as(alice), plan)
    assert not PlanExport.objects.exists()
    page = client_as(alice).get(response["Location"]).content.decode()
    assert "Nothing was saved" in page or "Mitään ei tallennettu" in page


def test_kela_finds_the_plain_copy_on_the_meeting_page_while_the_plan_is_shared(
    client_as, alice, kela, plan, consent
):
    """Issue 22.2: the copy Kela may download is linked on Kela's view of the meeting."""
    export(client_as(alice), plan, variant="plain")
    plain = PlanExport.objects.get(variant="plain")
    link = reverse("meetings:plan_export_download", args=[plan.meeting_id, plain.pk])
    page = client_as(kela).get(reverse("meetings:detail", args=[plan.meeting_id]))
    assert link in page.content.decode()
    type(consent).objects.filter(pk=consent.pk).update(scope_share_plan=False)
    page = client_as(kela).get(reverse("meetings:detail", args=[plan.meeting_id]))
    assert link not in page.content.decode()


def test_kelas_meeting_page_reads_the_young_persons_consent_once(
    client_as, alice, kela, plan, consent
):
    """Issue 20: the page asks today's consent three things (is the plan shared, is the
    identity disclosed, may Kela be invited) in one reading, besides the meeting's own check
    that Kela may see it; each answer still follows the consent."""
    export(client_as(alice), plan, variant="plain")
    plain = PlanExport.objects.get(variant="plain")
    link = reverse("meetings:plan_export_download", args=[plan.meeting_id, plain.pk])
    client = client_as(kela)
    url = reverse("meetings:detail", args=[plan.meeting_id])
    client.get(url)  # warm up the session

    def read():
        with CaptureQueriesContext(connection) as page:
            html = client.get(url).content.decode()
        alone = [q for q in page if 'FROM "cases_consent"' in q["sql"].split("WHERE")[0]]
        assert len(alone) == 1
        return html

    shared = read()
    assert "Kela auttaa hakemuksissa" in shared and link in shared
    type(consent).objects.filter(pk=consent.pk).update(scope_share_plan=False)
    unshared = read()
    assert "Kela auttaa hakemuksissa" not in unshared and link not in unshared


def test_each_control_of_the_export_section_is_named_by_what_it_is(client_as, alice, plan):
    """Issue 22.5 (WCAG 2.4.6): two language selects and the download links are told apart."""
    client = client_as(alice)
    export(client, plan)
    export(client, plan, variant="plain", language="sv")
    page = client.get(reverse("meetings:plan", args=[plan.meeting_id])).content.decode()
    assert "Asiakassuunnitelma-asiakirjan kieli" in page and "Nuoren kappaleen kieli" in page
    assert "Lataa versio 1, asiakassuunnitelma-asiakirja, suomi" in page
    assert "Lataa versio 1, selkokielinen kappale, ruotsi" in page


def test_the_client_plan_document_needs_the_consent_that_covers_it(client_as, alice, plan, consent):
    """Issue 16, the client-plan rule: without the scope the official document is refused with
    a message naming what to record; the young person's copy can still be made. Exporting marks
    the plan recorded into the client plan."""
    type(consent).objects.filter(pk=consent.pk).update(scope_client_plan=False)
    client = client_as(alice)
    response = export(client, plan)
    page = client.get(response["Location"]).content.decode()
    assert "Yhteistyö kirjataan asiakassuunnitelmaan" in page
    assert not PlanExport.objects.filter(variant="official").exists()
    export(client, plan, variant="plain")
    assert PlanExport.objects.filter(variant="plain").count() == 1
    type(consent).objects.filter(pk=consent.pk).update(scope_client_plan=True)
    FollowUpPlan.objects.filter(pk=plan.pk).update(recorded_in_client_plan=False)
    export(client, plan)
    assert FollowUpPlan.objects.get(pk=plan.pk).recorded_in_client_plan


def test_the_young_persons_own_words_come_first_in_their_copy(client_as, alice, plan):
    """Issue 16: the plan has a place for the young person's own goal, in their words."""
    FollowUpPlan.objects.filter(pk=plan.pk).update(own_words="Haluan oman asunnon keväällä.")
    export(client_as(alice), plan, variant="plain")
    text = text_of(stored(PlanExport.objects.get(variant="plain")))
    assert text.index("Haluan oman asunnon keväällä.") < text.index("Kuka tekee mitä")
    export(client_as(alice), plan)
    official = text_of(stored(PlanExport.objects.get(variant="official")))
    assert "Haluan oman asunnon keväällä." in official


def plan_json(export: PlanExport) -> dict:
    (attachment,) = PdfReader(BytesIO(stored(export))).attachments["plan.json"]
    return json.loads(attachment)


def test_the_client_plan_carries_the_review_rounds_and_each_items_history(client_as, alice, plan):
    """Issue 16: plan.json version 2 has every review round (agreed for, held on, who took
    part, what happened to each open item, Kela, the next round or the end) and each item's
    history; the document shows the rounds."""
    today = timezone.localdate()
    youths_item = plan.items.get(what="Hakee opintotukea")
    kelas_item = plan.items.get(what="Selvittää asumistuen liitteet")
    first_agreed = plan.review_date
    services.review_record(
        plan=plan,
        review=Review(
            held_on=today,
            with_young_person=True,
            with_kela=True,
            how_it_went="Opintotuki haettu, asumistuki kesken.",
            kela_continues=True,
            next_review_date=today + datetime.timedelta(days=40),
        ),
        done_items=[kelas_item],
        by=alice,
        agreed_for=first_agreed,
    )
    moved_from = youths_item.due_date
    services.action_item_edit(
        item=youths_item,
        what=youths_item.what,
        owner=youths_item.owner,
        due_date=today + datetime.timedelta(days=35),
        note="odottaa päätöstä",
        version=youths_item.version,
        by=alice,
    )
    services.action_item_note(item=youths_item, note="liitteet lähetetty", by=alice)
    services.review_record(
        plan=FollowUpPlan.objects.get(pk=plan.pk),
        review=Review(
            held_on=today,
            how_it_went="Tavoitteet saavutettu.",
            close_cooperation=True,
            end_reason=Review.EndReason.GOALS_REACHED,
            end_details="Nuori pärjää itse.",
        ),
        done_items=[],
        by=alice,
        agreed_for=today + datetime.timedelta(days=40),
    )
    export(client_as(alice), plan)
    e = PlanExport.objects.get()
    data = plan_json(e)
    validate(data, SCHEMA)
    assert data["follow_up_status"] == "cooperation_ended" and data["review_date"] is None

    first, second = data["reviews"]
    assert (first["round"], first["agreed_for"], first["held_on"]) == (
        1,
        first_agreed.isoformat(),
        today.isoformat(),
    )
    assert first["took_part"] == ["aftercare_worker", "young_person", "kela_contact"]
    assert first["kela_continues"] is True and first["cooperation_ended"] is None
    assert first["next_review_date"] == (today + datetime.timedelta(days=40)).isoformat()
    assert {(i["what"], i["outcome"], i["due_date"]) for i in first["items"]} == {
        ("Hakee opintotukea", "open", moved_from.isoformat()),
        ("Selvittää asumistuen liitteet", "done", kelas_item.due_date.isoformat()),
    }
    assert second["took_part"] == ["aftercare_worker"]
    assert second["kela_continues"] is False and second["next_review_date"] is None
    assert second["cooperation_ended"] == {
        "reason": "goals_reached",
        "details": "Nuori pärjää itse.",
    }
    # Only the item still open at the second round, with its moved date.
    assert second["items"] == [
        {
            "action_item": youths_item.pk,
            "what": "Hakee opintotukea",
            "due_date": (today + datetime.timedelta(days=35)).isoformat(),
            "outcome": "open",
        }
    ]

    items = {i["what"]: i for i in data["action_items"]}
    moved = items["Hakee opintotukea"]
    assert [(h["field"], h["old"], h["note"]) for h in moved["history"]] == [
        ("due_date", moved_from.isoformat(), "odottaa päätöstä"),
        ("note", None, "liitteet lähetetty"),
    ]
    ticked = items["Selvittää asumistuen liitteet"]
    assert ticked["status"] == "done" and ticked["done_at"]
    assert [(h["field"], h["new"], h["review_round"]) for h in ticked["history"]] == [
        ("status", "done", 1)
    ]

    text = text_of(stored(e))
    assert "Tarkistuskierros 1" in text and "Tarkistuskierros 2" in text
    assert "Opintotuki haettu, asumistuki kesken." in text and "Tavoitteet saavutettu." in text
    assert "Yhteistyö päättyi" in text and "Nuori pärjää itse." in text
    assert "odottaa päätöstä" in text and "liitteet lähetetty" in text


def test_a_cancelled_item_is_exported_with_its_reason(client_as, alice, plan):
    item = plan.items.get(what="Hakee opintotukea")
    services.action_item_cancel(item=item, reason="Haki jo itse", by=alice)
    export(client_as(alice), plan)
    data = plan_json(PlanExport.objects.get())
    validate(data, SCHEMA)
    (cancelled,) = [i for i in data["action_items"] if i["status"] == "cancelled"]
    assert cancelled["cancel_reason"] == "Haki jo itse"
    assert cancelled["history"][0]["new"] == "cancelled"
    assert "Haki jo itse" in text_of(stored(PlanExport.objects.get()))


def test_a_version_1_document_stays_valid_against_its_own_schema():
    """Documents exported before the reviews were added keep their schema: docs/ has both."""
    v1 = json.loads((Path(__file__).parent / "plan-export-v1.json").read_text())
    validate(v1, SCHEMA_V1)
    with pytest.raises(jsonschema.ValidationError):
        validate(v1, SCHEMA)  # version 2 is a new version, not a silent change of version 1


def test_exporting_records_the_plan_into_the_client_plan_with_the_version(client_as, alice, plan):
    """Issue 16: the plan page says which version the client plan holds, and since when."""
    client = client_as(alice)
    url = reverse("meetings:plan", args=[plan.meeting_id])
    assert "Kirjattu asiakassuunnitelmaan: versio" not in client.get(url).content.decode()
    export(client, plan)
    export(client, plan, variant="plain")  # the young person's copy is not the client plan
    export(client, plan)
    assert FollowUpPlan.objects.get(pk=plan.pk).recorded_in_client_plan
    page = client.get(url).content.decode()
    assert "Kirjattu asiakassuunnitelmaan: versio 2, viety" in page
    assert alice.get_full_name() in page
