"""Role × URL × method: every URL of the app, every role of the cast, the expected answer.

The list of URLs is read from the resolver, so a new URL without an entry here fails
`test_every_url_is_in_the_matrix`. Another organisation's object answers 404; a role that never
uses a page answers 403; anonymous users are sent to the login page; state changes are POST-only.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from feedback.models import Answer, Survey
from kelayhteistyo import health
from kelayhteistyo.models import Heartbeat, KelaAbsence, OrganisationIdentityProvider
from meetings.models import ActionItem, KelaSlot, PlanExport
from tests import factories as f

# "youth": the young person of the world, signed in on their own page with strong
# identification (issue 19) — a session of their own, no user: every workers' page answers them
# as it answers anonymous users unless said otherwise.
ROLES = ["anonymous", "alice", "bob", "kela", "kela_other", "coordinator", "youth"]
LOGIN = 302  # anonymous → the login page
# The young person's own pages send everyone but the signed-in young person to their own
# sign-in page (not the workers' login).
OWN_LOGIN = 302
OWN_PAGES = {
    "own:page",
    "own:processed",
    "own:ics",
    "own:item_done",
    "own:item_help",
    "own:withdraw",
}

# name: (method, {role: status}); a missing role means the same as "others".
MATRIX = {
    "home": ("GET", {"anonymous": LOGIN, "others": 200}),
    # A list of the home page in full; the lists are the user's own (or the organisation's).
    "work_list": ("GET", {"anonymous": LOGIN, "coordinator": 403, "others": 200}),
    "login": ("GET", {"anonymous": 200, "others": 302}),
    # An organisation's own login service (here one that does not answer: a clear page, 503);
    # a logged-in user is sent home. The way back from it without a login started: 400.
    "oidc_login": ("GET", {"anonymous": 503, "others": 302}),
    "oidc_callback": ("GET", {"others": 400}),
    "logout": ("POST", {"others": 302}),
    "set_language": ("POST", {"others": 302}),
    # The own pages' language switch (issue 19): a cookie of the browser, for anyone.
    "set_youth_language": ("POST", {"others": 302}),
    "accessibility": ("GET", {"others": 200}),
    # For operators, the same for everyone: nothing personal (test_health.py). The metrics
    # exist only for the scraper's bearer token, which no user's request carries.
    "health": ("GET", {"others": 200}),
    "metrics": ("GET", {"others": 404}),
    "dashboard": ("GET", {"anonymous": LOGIN, "coordinator": 200, "others": 403}),
    "otp_setup": ("GET", {"anonymous": LOGIN, "others": 200}),
    "meetings:plan_export": (
        "POST",
        {"anonymous": LOGIN, "alice": 302, "bob": 404, "others": 403},
    ),
    "meetings:plan_export_download": (
        "GET",
        # The plain-language copy: Kela may have it, with the consent to share the plan.
        {
            "anonymous": LOGIN,
            "alice": 200,
            "bob": 404,
            "kela": 200,
            "kela_other": 404,
            "coordinator": 403,
        },
    ),
    "notifications": ("GET", {"anonymous": LOGIN, "others": 200}),
    "notification_read": ("POST", {"anonymous": LOGIN, "kela": 302, "others": 404}),
    "notifications_read_all": ("POST", {"anonymous": LOGIN, "others": 302}),
    "notification_settings": ("GET", {"anonymous": LOGIN, "others": 200}),
    "meetings:ics": (
        "GET",
        {
            "anonymous": LOGIN,
            "alice": 200,
            "bob": 404,
            "kela": 200,
            "kela_other": 404,
            "coordinator": 403,
        },
    ),
    # Without an authenticator app, verifying sends to setting one up.
    "otp_verify": ("GET", {"anonymous": LOGIN, "coordinator": 200, "others": 302}),
    "reauthenticate": ("GET", {"anonymous": LOGIN, "others": 200}),
    "directory": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 200, "others": 403}),
    "cases:list": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 200, "others": 403}),
    "cases:create": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 200, "others": 403}),
    "cases:detail": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403}),
    "cases:edit": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403}),
    "cases:access_report": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403}),
    "cases:data_export": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403}),
    "cases:consent_create": (
        "GET",
        {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403},
    ),
    "cases:consent_withdraw_confirm": (
        "GET",
        {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403},
    ),
    # Issue 17: hand the young person over to another worker of the organisation.
    "cases:handover": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403}),
    "cases:consent_withdraw": (
        "POST",
        {"anonymous": LOGIN, "alice": 302, "bob": 404, "others": 403},
    ),
    "meetings:list": (
        "GET",
        {"anonymous": LOGIN, "coordinator": 403, "others": 200},
    ),
    "meetings:create": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403}),
    "meetings:detail": (
        "GET",
        {
            "anonymous": LOGIN,
            "alice": 200,
            "bob": 404,
            "kela": 200,
            "kela_other": 404,
            "coordinator": 403,
        },
    ),
    "meetings:edit": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403}),
    # The identity code, for the invited Kela contact whose consent covers it (issue 18).
    "meetings:identity_code": (
        "POST",
        {"anonymous": LOGIN, "kela": 200, "kela_other": 404, "others": 403},
    ),
    "meetings:invite": ("POST", {"anonymous": LOGIN, "alice": 400, "bob": 404, "others": 403}),
    "meetings:respond": (
        "POST",
        {"anonymous": LOGIN, "kela": 400, "kela_other": 404, "others": 403},
    ),
    "meetings:proposal_accept": (
        "POST",
        {"anonymous": LOGIN, "alice": 302, "bob": 404, "others": 403},
    ),
    # The young person's network (issue 17): the world's meeting is held, so the worker is
    # sent back to the meeting with the reason (test_network.py has the open meeting).
    "meetings:network_add": (
        "GET",
        {"anonymous": LOGIN, "alice": 302, "bob": 404, "others": 403},
    ),
    "meetings:network_edit": (
        "GET",
        {"anonymous": LOGIN, "alice": 302, "bob": 404, "others": 403},
    ),
    "meetings:network_remove": (
        "POST",
        {"anonymous": LOGIN, "alice": 302, "bob": 404, "others": 403},
    ),
    "meetings:held": ("POST", {"anonymous": LOGIN, "alice": 302, "bob": 404, "others": 403}),
    "meetings:record": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403}),
    # Kela says it did not take part; here Kela accepted in the app, so it is refused (302
    # back to the meeting with the reason); tests/meetings/test_recording.py has the rest.
    "meetings:taking_part_deny": (
        "POST",
        {"anonymous": LOGIN, "kela": 302, "kela_other": 404, "others": 403},
    ),
    "meetings:cancel": ("POST", {"anonymous": LOGIN, "alice": 400, "bob": 404, "others": 403}),
    "meetings:plan": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403}),
    # The add page: a worker adds anyone's item, a Kela contact only its own.
    "meetings:item_add": (
        "GET",
        {
            "anonymous": LOGIN,
            "alice": 200,
            "bob": 404,
            "kela": 200,
            "kela_other": 404,
            "coordinator": 403,
        },
    ),
    "meetings:item_toggle": (
        "POST",
        # A Kela contact may tick only their own items; this one is the worker's.
        {
            "anonymous": LOGIN,
            "alice": 302,
            "bob": 404,
            "kela": 404,
            "kela_other": 404,
            "coordinator": 403,
        },
    ),
    # Edit, note and cancel: like ticking, Kela only its own items; this one is the worker's.
    "meetings:item_edit": (
        "GET",
        {
            "anonymous": LOGIN,
            "alice": 200,
            "bob": 404,
            "kela": 404,
            "kela_other": 404,
            "coordinator": 403,
        },
    ),
    "meetings:item_cancel": (
        "POST",
        {
            "anonymous": LOGIN,
            "alice": 400,
            "bob": 404,
            "kela": 404,
            "kela_other": 404,
            "coordinator": 403,
        },
    ),
    "meetings:item_note": (
        "POST",
        {
            "anonymous": LOGIN,
            "alice": 400,
            "bob": 404,
            "kela": 404,
            "kela_other": 404,
            "coordinator": 403,
        },
    ),
    # A worker stops the links sent to an outside owner (Kela's items have none).
    "meetings:item_links_stop": (
        "POST",
        {"anonymous": LOGIN, "alice": 302, "bob": 404, "others": 403},
    ),
    "meetings:review": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403}),
    # Coordinators keep the Kela directory (issue 18).
    "directory_manage": ("GET", {"anonymous": LOGIN, "coordinator": 200, "others": 403}),
    "directory_contact_add": ("GET", {"anonymous": LOGIN, "coordinator": 200, "others": 403}),
    "directory_contact_edit": ("GET", {"anonymous": LOGIN, "coordinator": 200, "others": 403}),
    "directory_contact_active": (
        "POST",
        {"anonymous": LOGIN, "coordinator": 302, "others": 403},
    ),
    # A Kela contact's own profile and absences (issue 18); another's absence is a 404.
    "kela_profile": ("GET", {"anonymous": LOGIN, "kela": 200, "kela_other": 200, "others": 403}),
    "kela_absence_add": (
        "POST",
        {"anonymous": LOGIN, "kela": 400, "kela_other": 400, "others": 403},
    ),
    "kela_absence_delete": (
        "POST",
        {"anonymous": LOGIN, "kela": 302, "kela_other": 404, "others": 403},
    ),
    # A Kela contact's free times (issue 18): published and removed by the contact (another's
    # is a 404); the chosen contact's free times, in the booking form, for workers.
    "kela_free_times_add": (
        "POST",
        {"anonymous": LOGIN, "kela": 400, "kela_other": 400, "others": 403},
    ),
    "kela_free_time_remove": (
        "POST",
        {"anonymous": LOGIN, "kela": 302, "kela_other": 404, "others": 403},
    ),
    "meetings:free_times": ("GET", {"anonymous": LOGIN, "alice": 200, "bob": 200, "others": 403}),
    # An outside owner's action item by its signed link: no login, whoever holds the link
    # (tests/meetings/test_item_links.py: tampered, expired, another item's id).
    "meetings:item_link": ("GET", {"others": 200}),
    # The young person's own page (issue 19). SAML is not configured in this world: the sign-in
    # says so (503), an answer is refused (403), there is no metadata (404); tests/own has the
    # sign-in against a real identity provider.
    "own:page": ("GET", {"youth": 200, "others": OWN_LOGIN}),
    "own:processed": ("GET", {"youth": 200, "others": OWN_LOGIN}),
    "own:ics": ("GET", {"youth": 200, "others": OWN_LOGIN}),
    # The young person's own task (the worker's item answers 404: tests/own).
    "own:item_done": ("POST", {"youth": 302, "others": OWN_LOGIN}),
    "own:item_help": ("POST", {"youth": 302, "others": OWN_LOGIN}),
    "own:withdraw": ("POST", {"youth": 302, "others": OWN_LOGIN}),
    "own:login": ("GET", {"youth": 302, "others": 200}),
    "own:logout": ("POST", {"others": 302}),
    "own:saml_login": ("GET", {"others": 503}),
    "own:saml_acs": ("POST", {"others": 403}),
    "own:saml_metadata": ("GET", {"others": 404}),
    # The light door (issue 19): the worker sends a link (without a channel: 400) or turns it
    # off; the link's page opens for whoever holds the link (nothing is used up by a GET); the
    # code without the link opened in this browser leads back to it; the light pages need a
    # light session (403: "you need a link"), the strong own session is not one.
    "cases:light_link_send": (
        "POST",
        {"anonymous": LOGIN, "alice": 400, "bob": 404, "others": 403},
    ),
    "cases:light_door_close": (
        "POST",
        {"anonymous": LOGIN, "alice": 302, "bob": 404, "others": 403},
    ),
    "own:light_link": ("GET", {"others": 200}),
    "own:light_code": ("POST", {"others": 302}),
    "own:light_page": ("GET", {"others": 403}),
    "own:light_ics": ("GET", {"others": 403}),
    "own:light_logout": ("POST", {"others": 302}),
    "own:light_new": ("GET", {"others": 200}),
    # Cooperation requests from Kela (issue 18): Kela contacts send them to aftercare units;
    # the sender and the unit's workers see a request, nobody else. Decline and link without
    # input are refused next to the field (400).
    "requests:units": ("GET", {"anonymous": LOGIN, "kela": 200, "kela_other": 200, "others": 403}),
    "requests:create": (
        "GET",
        {"anonymous": LOGIN, "kela": 200, "kela_other": 200, "others": 403},
    ),
    "requests:detail": (
        "GET",
        {
            "anonymous": LOGIN,
            "alice": 200,
            "bob": 404,
            "kela": 200,
            "kela_other": 404,
            "coordinator": 403,
        },
    ),
    "requests:take": ("POST", {"anonymous": LOGIN, "alice": 302, "bob": 404, "others": 403}),
    "requests:decline": ("POST", {"anonymous": LOGIN, "alice": 400, "bob": 404, "others": 403}),
    "requests:link": ("POST", {"anonymous": LOGIN, "alice": 400, "bob": 404, "others": 403}),
    # Referrals to Kela's special service (issue 18): the worker refers from the record; Kela
    # contacts of the county see it while the consent covers it (kela_other serves another
    # county here). Assessing and ending without input are refused next to the field (400).
    "cases:referral_create": (
        "GET",
        {"anonymous": LOGIN, "alice": 200, "bob": 404, "others": 403},
    ),
    "special_service:detail": (
        "GET",
        {
            "anonymous": LOGIN,
            "alice": 200,
            "bob": 404,
            "kela": 200,
            "kela_other": 404,
            "coordinator": 403,
        },
    ),
    "special_service:take": (
        "POST",
        {"anonymous": LOGIN, "kela": 302, "kela_other": 404, "others": 403},
    ),
    "special_service:assess": (
        "POST",
        {"anonymous": LOGIN, "kela": 400, "kela_other": 404, "others": 403},
    ),
    "special_service:end": (
        "POST",
        {"anonymous": LOGIN, "kela": 400, "kela_other": 404, "others": 403},
    ),
    # The survey answers itself with its link: no login, whoever holds it.
    "feedback:answer": ("GET", {"others": 200}),
    "feedback:results": ("GET", {"anonymous": LOGIN, "coordinator": 200, "others": 403}),
    "feedback:comments": ("GET", {"anonymous": LOGIN, "coordinator": 200, "others": 403}),
    "feedback:comment_hide": ("POST", {"anonymous": LOGIN, "coordinator": 302, "others": 403}),
    "feedback:survey_list": ("GET", {"anonymous": LOGIN, "coordinator": 200, "others": 403}),
    "feedback:survey_edit": ("GET", {"anonymous": LOGIN, "coordinator": 200, "others": 403}),
}


def url_names(patterns=None, namespace=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # Django's admin: staff only, tested in test_admin
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def test_every_url_is_in_the_matrix():
    assert set(url_names()) == set(MATRIX)


@pytest.fixture
def world(alice, bob, kela, kela_other, coordinator, youth, consent, settings, monkeypatch):
    """A meeting of Alice's young person, held, with a plan, an item and Kela invited."""
    # /health/: a sweep ran and a worker answers; /metrics/: a scraper's token is configured.
    Heartbeat.beat(Heartbeat.NOTIFICATION_SWEEP)
    monkeypatch.setattr(health.Ping, "run", lambda self: None)
    settings.METRICS_TOKEN = "scraper-token-0123456789"
    meeting = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    # The young person lets Kela see their identifying data, the identity code too, and agrees
    # to messages to the network (the outside owner's link).
    type(consent).objects.filter(pk=consent.pk).update(scope_kela_identity=True, scope_network=True)
    type(youth).objects.filter(pk=youth.pk).update(identity_code="131052-308T")
    from meetings import services

    plan = services.plan_save(
        meeting=meeting,
        fields={"summary": "Sovittiin", "review_date": None},
        version=None,
        by=alice,
    )
    worker = meeting.participants.get(user=alice)
    item = ActionItem.objects.create(plan=plan, owner=worker, what="Soittaa Kelaan")
    outside = services.action_item_add(
        plan=plan,
        owner=None,
        outside_service="TE-palvelut",
        outside_service_email="te@example.fi",
        what="Kutsuu koulutukseen",
        due_date=None,
        by=alice,
    )
    kela_p = meeting.participants.get(user=kela)
    support = meeting.participants.create(
        kind="other", name="Tukihenkilö Tero", network_role="support_person"
    )
    invitation = kela.notifications.get(kind="invitation")  # Kela's own notification
    # The young person's own task, and their next meeting (their own page, issue 19).
    own_item = ActionItem.objects.create(
        plan=plan, owner=meeting.participants.get(kind="young_person"), what="Hakee tukea"
    )
    upcoming = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    copy = PlanExport(
        plan=plan,
        number=1,
        plan_version=1,
        variant="plain",
        language="fi",
        sha256="0" * 64,
        created_by=alice,
    )
    copy.file.save("plain.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    copy.save()
    from feedback import services as feedback

    youth_link = meeting.survey_links.get(participant__kind="young_person")
    survey = Survey.objects.get(group="young_person", is_current=True)
    answers = [(q, "Hyvä" if q.kind == "text" else None) for q in survey.questions.all()]
    feedback.response_save(link=youth_link, survey=survey, answers=answers, language="fi")
    comment = Answer.objects.get(text="Hyvä")
    youth_link = meeting.survey_links.get(participant__kind="aftercare_worker")
    absence = KelaAbsence.objects.create(
        profile=kela.kela_profile,
        starts_on=timezone.localdate() + datetime.timedelta(days=30),
        ends_on=timezone.localdate() + datetime.timedelta(days=31),
    )
    provider = OrganisationIdentityProvider.objects.create(
        organisation=alice.organisation, issuer="http://127.0.0.1:9", client_id="yhteistyo"
    )
    slot = KelaSlot.objects.create(
        contact=kela,
        starts_at=timezone.now() + datetime.timedelta(days=40),
        ends_at=timezone.now() + datetime.timedelta(days=40, hours=1),
        modality="video",
    )
    coop = f.cooperation_request(kela=kela, organisation=alice.organisation)
    type(consent).objects.filter(pk=consent.pk).update(scope_kela_special_service=True)
    kela_other.kela_profile.areas.set([f.county("kanta-hame")])
    referral = f.special_referral(youth=youth, worker=alice)
    # The light door: a link sent to the young person (issue 19).
    from cases import light
    from cases.models import OwnLightLink

    type(consent).objects.filter(pk=consent.pk).update(scope_reminders=True)
    type(youth).objects.filter(pk=youth.pk).update(email="nuori@example.fi")
    secret = light.new_secret()
    light_link = OwnLightLink.objects.create(
        youth=youth,
        channel="email",
        address="nuori@example.fi",
        secret_hash=light.digest(secret),
        sent_by=alice,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    light_token = light.token_of(light_link, secret)
    users = {
        "alice": alice,
        "bob": bob,
        "kela": kela,
        "kela_other": kela_other,
        "coordinator": coordinator,
        "anonymous": None,
        "youth": youth,
    }
    kwargs = {
        "work_list": {"key": "upcoming"},
        "cases:detail": {"pk": youth.pk},
        "cases:access_report": {"pk": youth.pk},
        "meetings:ics": {"pk": meeting.pk},
        "meetings:plan_export": {"pk": meeting.pk},
        "meetings:plan_export_download": {"pk": meeting.pk, "export_pk": copy.pk},
        "notification_read": {"pk": invitation.pk},
        "cases:data_export": {"pk": youth.pk},
        "cases:edit": {"pk": youth.pk},
        "cases:consent_create": {"pk": youth.pk},
        "cases:handover": {"pk": youth.pk},
        "cases:consent_withdraw": {"pk": youth.pk, "consent_pk": consent.pk},
        "cases:consent_withdraw_confirm": {"pk": youth.pk, "consent_pk": consent.pk},
        "meetings:create": {"youth_pk": youth.pk},
        "meetings:record": {"youth_pk": youth.pk},
        "meetings:proposal_accept": {"pk": meeting.pk, "participant_pk": kela_p.pk},
        "meetings:item_toggle": {"pk": meeting.pk, "item_pk": item.pk},
        "meetings:network_edit": {"pk": meeting.pk, "participant_pk": support.pk},
        "meetings:network_remove": {"pk": meeting.pk, "participant_pk": support.pk},
        "meetings:item_edit": {"pk": meeting.pk, "item_pk": item.pk},
        "meetings:item_cancel": {"pk": meeting.pk, "item_pk": item.pk},
        "meetings:item_note": {"pk": meeting.pk, "item_pk": item.pk},
        "meetings:item_links_stop": {"pk": meeting.pk, "item_pk": outside.pk},
        "feedback:answer": {"token": feedback.token(youth_link)},
        "meetings:item_link": {"item_pk": outside.pk, "token": outside.links.get().token()},
        "feedback:comment_hide": {"response": comment.response_id, "question": comment.question_id},
        "feedback:survey_edit": {"pk": survey.pk},
        "kela_absence_delete": {"pk": absence.pk},
        "oidc_login": {"pk": provider.pk},
        "kela_free_time_remove": {"pk": slot.pk},
        "meetings:free_times": {},
        "own:ics": {"pk": upcoming.pk},
        "own:item_done": {"pk": own_item.pk},
        "own:item_help": {"pk": own_item.pk},
        "own:withdraw": {"pk": consent.pk},
        "own:light_link": {"token": light_token},
        "own:light_code": {"token": light_token},
        "own:light_ics": {"pk": upcoming.pk},
        "cases:light_link_send": {"pk": youth.pk},
        "cases:light_door_close": {"pk": youth.pk},
        "directory_contact_edit": {"pk": kela.kela_profile.pk},
        "directory_contact_active": {"pk": kela.kela_profile.pk},
        **{name: {"pk": coop.pk} for name in MATRIX if name.startswith("requests:")},
        "requests:create": {"unit_pk": alice.organisation_id},
        "requests:units": None,
        "cases:referral_create": {"pk": youth.pk},
        **{name: {"pk": referral.pk} for name in MATRIX if name.startswith("special_service:")},
    }
    for name in MATRIX:
        if name.startswith("meetings:") and name not in kwargs and name not in ("meetings:list",):
            kwargs[name] = {"pk": meeting.pk}
    return users, kwargs


def expected(name, role):
    table = MATRIX[name][1]
    if role == "youth":
        return table.get("youth", table.get("anonymous", table.get("others")))
    return table.get(role, table.get("others"))


def own_sign_in(client, youth):
    """The young person's session, as cases.own makes it after strong identification."""
    from cases.own import OWN_AT, OWN_YOUTH

    session = client.session
    session[OWN_YOUTH] = [str(youth.pk)]
    session[OWN_AT] = timezone.now().isoformat()
    session.save()


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_url(client, world, name, role):
    users, kwargs = world
    method, _ = MATRIX[name]
    if role == "youth":
        own_sign_in(client, users[role])
    elif users[role] is not None:
        f.log_in(client, users[role])
    url = reverse(name, kwargs=kwargs.get(name))
    response = client.post(url) if method == "POST" else client.get(url)
    if response.streaming:  # read a download to the end: the test client then closes its file
        b"".join(response.streaming_content)
    assert response.status_code == expected(name, role), (name, role)
    table = MATRIX[name][1]
    if name in OWN_PAGES:
        if role != "youth":
            assert response["Location"] == reverse("own:login")
    elif role in ("anonymous", "youth") and table.get("anonymous") == LOGIN:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_wrong_method_is_405(client, world, name):
    users, kwargs = world
    method, _ = MATRIX[name]
    if name != "login":  # the login page sends a logged-in user home whatever the method
        f.log_in(client, users["alice"])
    url = reverse(name, kwargs=kwargs.get(name))
    response = client.get(url) if method == "POST" else client.delete(url)
    assert response.status_code == 405


def test_admin_is_for_staff_only(client_as, alice, kela, coordinator):
    for user in (alice, kela, coordinator):
        response = client_as(user).get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
