"""A made-up, anonymous history of the practice, in bulk inserts: the generator behind
`seed_scale` (national scale, for benchmarks) and the demo's history (`seed_demo`, a few hundred
young people, so that every figure of the dashboard and the feedback results shows numbers above
the suppression limit).

The shapes follow the practice: most meetings are held and have a plan, some are cancelled,
the next month's are invited or confirmed; most tasks are done, some late, some overdue; a part
of the feedback links are answered. Names are made up ("Nuori 123"), there are no identity codes
and no e-mail addresses of young people. Repeatable: the same seed gives the same data.
"""

import collections
import datetime
import itertools
import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cases.models import Consent, CooperationRequest, SpecialServiceReferral, YouthClient
from feedback.models import Answer, Response, Survey, SurveyLink, group_of, quarter_start
from feedback.services import links_count
from kelayhteistyo.models import County, KelaContactProfile, Language, Organisation, User
from meetings.models import (
    ActionItem,
    FollowUpPlan,
    JointMeeting,
    Modality,
    NetworkRole,
    Participant,
    PlanExport,
    Review,
)

CHUNK = 2_000  # young people per transaction
S = JointMeeting.Status
P = Participant.Kind
MODALITIES = [Modality.FACE_TO_FACE, Modality.VIDEO, Modality.PHONE]
GROUPS = [
    YouthClient.ClientGroup.AFTERCARE,
    YouthClient.ClientGroup.UNACCOMPANIED,
    YouthClient.ClientGroup.OTHER,
]


class History:
    """Generate `youth` young people with everything that follows them, in the aftercare units
    of `counties` (one organisation per county, made here).

    `days`: how far back the meetings go; `answer_rate`: the share of feedback links answered;
    `label`: the part of the made-up e-mail addresses that keeps two histories apart;
    `other_share`: the share of meetings with another member of the young person's network (a
    support person, a worker of immigrant services), who gets a feedback link too;
    `active`: whether the made-up workers and Kela contacts are active users (the demo's are
    not: nobody logs in as them, no reminder goes to them and the Kela directory leaves them
    out)."""

    def __init__(
        self,
        *,
        seed: int = 1,
        days: int = 730,
        answer_rate: float = 0.25,
        label: str = "scale",
        workers_per_org: int = 12,
        kela_contacts: int = 40,
        other_share: float = 0.0,
        active: bool = True,
        progress=None,
    ):
        self.rng = random.Random(seed)  # noqa: S311 — repeatable test data, not a secret
        self.days, self.answer_rate, self.label = days, answer_rate, label
        self.workers_per_org, self.kela_contacts, self.active = (
            workers_per_org,
            kela_contacts,
            active,
        )
        self.other_share = other_share
        self.own_or_professional = itertools.cycle((True, False))
        self.progress = progress  # called with the counts after each chunk

    def generate(self, *, youth: int, counties) -> dict:
        """Make the history; returns how many of each were made."""
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.people(list(counties))
        surveys = Survey.objects.filter(is_current=True).prefetch_related("questions__choices")
        self.surveys = {s.group: (s, list(s.questions.all())) for s in surveys}
        self.link_numbers = itertools.count()
        self.counts = dict.fromkeys(["youth", "meetings", "items", "responses", "answers"], 0)
        for start in range(0, youth, CHUNK):
            with transaction.atomic():
                self.chunk(min(CHUNK, youth - start), start)
            if self.progress:
                self.progress(self.counts)
        with transaction.atomic():
            self.kela_partner()
        return self.counts

    # The organisations and people -------------------------------------------------------------

    def people(self, counties: list[County]):
        self.fi = Language.objects.get(code="fi")
        self.languages = list(Language.objects.all())
        orgs = Organisation.objects.bulk_create(
            Organisation(
                name=f"{c.name_fi}, jälkihuolto", kind=Organisation.Kind.AFTERCARE, county=c
            )
            for c in counties
        )
        kela_org = Organisation.objects.filter(kind=Organisation.Kind.KELA, name="Kela").first()
        if kela_org is None:
            kela_org = Organisation.objects.create(name="Kela", kind=Organisation.Kind.KELA)
        password = make_password(None)  # unusable: nobody logs in as these people
        workers = User.objects.bulk_create(
            User(
                email=f"tyontekija{i}@{self.label}.invalid",
                first_name="Työntekijä",
                last_name=str(i),
                role=User.Role.AFTERCARE_WORKER,
                organisation=orgs[i % len(orgs)],
                password=password,
                is_active=self.active,
            )
            for i in range(len(orgs) * self.workers_per_org)
        )
        kela = User.objects.bulk_create(
            User(
                email=f"kela{i}@{self.label}.invalid",
                first_name="Kela",
                last_name=str(i),
                role=User.Role.KELA_CONTACT,
                organisation=kela_org,
                password=password,
                is_active=self.active,
            )
            for i in range(self.kela_contacts)
        )
        KelaContactProfile.objects.bulk_create(
            KelaContactProfile(user=k, active=self.active) for k in kela
        )
        self.workers = workers
        self.kela = kela
        self.orgs = orgs

    # One chunk of young people with everything that follows them ------------------------------

    def chunk(self, n, offset):
        rng, now, today = self.rng, self.now, self.today
        workers = [rng.choice(self.workers) for _ in range(n)]
        youth = YouthClient.objects.bulk_create(
            YouthClient(
                organisation_id=w.organisation_id,
                responsible_worker=w,
                first_name="Nuori",
                last_name=str(offset + i),
                date_of_birth=today - datetime.timedelta(days=rng.randint(16 * 365, 24 * 365)),
                aftercare_ends_on=today + datetime.timedelta(days=rng.randint(30, 2000)),
                client_group=rng.choices(GROUPS, [70, 20, 10])[0],
                language=self.fi if rng.random() < 0.8 else rng.choice(self.languages),
            )
            for i, w in enumerate(workers)
        )
        consents = Consent.objects.bulk_create(
            Consent(
                youth=y,
                how_given=Consent.HowGiven.IN_WRITING,
                given_at=now - datetime.timedelta(days=800),
                recorded_by=y.responsible_worker,
                scope_reminders=rng.random() < 0.5,
            )
            for y in youth
        )
        meetings = []
        for y, consent in zip(youth, consents, strict=True):
            for _ in range(rng.choices([1, 2, 3, 4], [20, 30, 30, 20])[0]):
                meetings.append(self.meeting(y, consent))
        meetings = JointMeeting.objects.bulk_create(meetings)

        participants = []
        for m in meetings:
            kela_status = {
                S.INVITED: rng.choice(["pending", "pending", "proposed"]),
                S.CANCELLED: rng.choice(["accepted", "declined"]),
            }.get(m.status, "accepted")
            # Mixed: the pilot's way (Kela by video, the others face to face).
            mixed = m.modality == Modality.MIXED
            participants += [
                Participant(
                    meeting=m,
                    kind=P.YOUNG_PERSON,
                    name="Nuori",
                    joins_by=Modality.FACE_TO_FACE if mixed else "",
                ),
                Participant(
                    meeting=m,
                    kind=P.AFTERCARE_WORKER,
                    user_id=m.organiser_id,
                    joins_by=Modality.FACE_TO_FACE if mixed else "",
                ),
                Participant(
                    meeting=m,
                    kind=P.KELA_CONTACT,
                    user=rng.choice(self.kela),
                    status=kela_status,
                    joins_by=Modality.VIDEO if mixed else "",
                    attendance=Participant.Attendance.RECORDED_BY_WORKER
                    if m.recorded_afterwards
                    else "",
                    invited_at=m.invited_at,
                    # Answered within 0–3 days (not drawn: the rest stays as it was).
                    responded_at=None
                    if kela_status == "pending" or m.invited_at is None
                    else m.invited_at + datetime.timedelta(hours=len(participants) * 7 % 80),
                    proposed_start=m.starts_at + datetime.timedelta(days=2)
                    if kela_status == "proposed"
                    else None,
                ),
            ]
            if self.other_share and rng.random() < self.other_share:
                # Every other one a support person (the young person's own people) or a worker
                # of immigrant services (a professional): both feedback groups have answers.
                # Alternated, not drawn, so that the rest of the history stays as it was.
                own = next(self.own_or_professional)
                participants.append(
                    Participant(
                        meeting=m,
                        kind=P.OTHER,
                        name="Tukihenkilö" if own else "Maahanmuuttopalvelut",
                        network_role=NetworkRole.SUPPORT_PERSON
                        if own
                        else NetworkRole.IMMIGRANT_SERVICES,
                        joins_by=Modality.FACE_TO_FACE if mixed else "",
                    )
                )
        participants = Participant.objects.bulk_create(participants)
        by_meeting = {}
        for p in participants:
            by_meeting.setdefault(p.meeting_id, []).append(p)

        with_plan = [m for m in meetings if m.status in JointMeeting.WITH_PLAN]
        plans = FollowUpPlan.objects.bulk_create(
            FollowUpPlan(
                meeting=m,
                organisation_id=m.organisation_id,
                summary="Sovittiin jatkosta.",
                kela_cooperation=rng.choices(["yes", "no", "tbd"], [60, 25, 15])[0],
                review_date=timezone.localdate(m.starts_at)
                + datetime.timedelta(days=rng.randint(30, 120)),
                updated_by_id=m.organiser_id,
            )
            for m in with_plan
        )
        items, reviews, exports = [], [], []
        for m, plan in zip(with_plan, plans, strict=True):
            held_on = timezone.localdate(m.starts_at)
            for _ in range(rng.choice([4, 5, 5, 5])):
                due = held_on + datetime.timedelta(days=rng.randint(5, 90))
                done = due < today and rng.random() < 0.85 or due >= today and rng.random() < 0.3
                late = rng.random() < 0.2
                done_at = None
                if done:
                    day = due + datetime.timedelta(days=rng.randint(1, 20) if late else -2)
                    done_at = timezone.make_aware(
                        datetime.datetime.combine(min(day, today), datetime.time(12))
                    )
                items.append(
                    ActionItem(
                        plan=plan,
                        youth_id=m.youth_id,
                        organisation_id=m.organisation_id,
                        owner=rng.choice(by_meeting[m.pk]),
                        what="Tehtävä",
                        due_date=due if rng.random() < 0.9 else None,
                        status="done" if done else "open",
                        done_at=done_at,
                    )
                )
            if m.status in (S.IN_FOLLOW_UP, S.COOPERATION_ENDED):
                # One round reviewed: the plan's date moves on to the next round, or ends.
                ended = m.status == S.COOPERATION_ENDED
                agreed = plan.review_date
                held_on = min(agreed + datetime.timedelta(days=rng.randint(-5, 10)), today)
                plan.review_date = (
                    None if ended else held_on + datetime.timedelta(days=rng.randint(30, 90))
                )
                reviews.append(
                    Review(
                        plan=plan,
                        agreed_for=agreed,
                        held_on=held_on,
                        with_young_person=rng.random() < 0.8,
                        with_kela=rng.random() < 0.5,
                        how_it_went="Hyvin.",
                        kela_continues=not ended and plan.kela_cooperation == "yes",
                        next_review_date=plan.review_date,
                        close_cooperation=ended,
                        end_reason="goals_reached" if ended else "",
                        recorded_by_id=m.organiser_id,
                    )
                )
            if rng.random() < 0.3:
                exports.append(
                    PlanExport(
                        plan=plan,
                        number=1,
                        plan_version=1,
                        variant=PlanExport.Variant.OFFICIAL,
                        language="fi",
                        file=f"plan-exports/{m.pk}/scale.pdf",
                        sha256="0" * 64,
                        created_by_id=m.organiser_id,
                    )
                )
        ActionItem.objects.bulk_create(items, batch_size=5_000)
        Review.objects.bulk_create(reviews)
        FollowUpPlan.objects.bulk_update([r.plan for r in reviews], ["review_date"])
        PlanExport.objects.bulk_create(exports)
        self.feedback([m for m in meetings if m.held_at], by_meeting, youth)
        self.counts["youth"] += len(youth)
        self.counts["meetings"] += len(meetings)
        self.counts["items"] += len(items)

    # Kela as a partner (issue 18): cooperation requests and special-service referrals -------

    def kela_partner(self):
        """Cooperation requests from Kela to the units and referrals to Kela's special service
        over the last 18 months, for their dashboard figures. Drawn from a generator of their
        own, so that the rest of the history stays as it was. The requests are past their time
        and so hold no personal data (as after the nightly purge)."""
        rng = random.Random(self.rng.random())  # noqa: S311 — repeatable test data
        now = self.now
        youth = list(
            YouthClient.objects.filter(organisation__in=self.orgs).values_list(
                "pk", "responsible_worker_id", "organisation_id", "organisation__county_id"
            )
        )
        RS = CooperationRequest.Status
        requests = []
        for _ in range(max(len(youth) // 25, 1)):
            org = rng.choice(self.orgs)
            sent = now - datetime.timedelta(days=rng.uniform(40, 540))
            worker = rng.choice([w for w in self.workers if w.organisation_id == org.pk])
            status = rng.choices([RS.BOOKED, RS.DECLINED, RS.EXPIRED], [70, 20, 10])[0]
            taken = sent + datetime.timedelta(hours=rng.gammavariate(2.0, 20.0))
            answered = taken + datetime.timedelta(days=rng.uniform(1, 10))
            requests.append(
                CooperationRequest(
                    organisation=org,
                    sent_by=rng.choice(self.kela),
                    sent_at=sent,
                    expires_at=sent + datetime.timedelta(days=settings.COOPERATION_REQUEST_DAYS),
                    status=status,
                    taken_by=worker if status == RS.BOOKED else None,
                    taken_at=taken if status == RS.BOOKED else None,
                    answered_by=None if status == RS.EXPIRED else worker,
                    answered_at=None if status == RS.EXPIRED else answered,
                    erased_at=now,
                )
            )
        CooperationRequest.objects.bulk_create(requests)
        chosen = rng.sample(youth, max(len(youth) // 12, 1))
        consents = {
            c.youth_id: c
            for c in Consent.objects.filter(youth__in=[y[0] for y in chosen]).order_by("pk")
        }
        Consent.objects.filter(pk__in=[c.pk for c in consents.values()]).update(
            scope_kela_special_service=True
        )
        Outcome, RefStatus = SpecialServiceReferral.Outcome, SpecialServiceReferral.Status
        referrals = []
        for pk, worker, _org, county in chosen:
            referred = now - datetime.timedelta(days=rng.uniform(2, 540))
            kela = rng.choice(self.kela)
            assessed = referred + datetime.timedelta(days=rng.gammavariate(3.0, 5.0))
            outcome = rng.choices(
                [Outcome.ACCEPTED, Outcome.NOT_ACCEPTED, Outcome.OTHER_SERVICE, ""],
                [50, 20, 20, 10],
            )[0]
            if assessed > now:
                outcome = ""
            status = {
                Outcome.ACCEPTED: RefStatus.IN_SERVICE,
                Outcome.NOT_ACCEPTED: RefStatus.ENDED,
                Outcome.OTHER_SERVICE: RefStatus.ENDED,
            }.get(outcome, RefStatus.TAKEN)
            referrals.append(
                SpecialServiceReferral(
                    youth_id=pk,
                    county_id=county,
                    consent=consents[pk],
                    referred_by_id=worker,
                    referred_at=referred,
                    reason="Tarvitaan tiiviimpää tukea.",
                    tried="Yhteiset tapaamiset.",
                    youth_view="Haluan apua.",
                    status=status,
                    taken_by=kela,
                    taken_at=referred + datetime.timedelta(days=1),
                    outcome=outcome,
                    assessed_at=assessed if outcome else None,
                    special_contact=kela if outcome == Outcome.ACCEPTED else None,
                    goals="Opinnot ja toimeentulo." if outcome == Outcome.ACCEPTED else "",
                    planned_end=timezone.localdate(assessed) + datetime.timedelta(days=180)
                    if outcome == Outcome.ACCEPTED
                    else None,
                    ended_at=assessed if status == RefStatus.ENDED else None,
                    handover="TE-palvelut." if outcome == Outcome.OTHER_SERVICE else "",
                )
            )
        SpecialServiceReferral.objects.bulk_create(referrals)
        self.counts["requests"] = len(requests)
        self.counts["referrals"] = len(referrals)

    def meeting(self, youth, consent):
        rng, now = self.rng, self.now
        starts_at = now - datetime.timedelta(days=rng.uniform(-30, self.days))
        starts_at = starts_at.replace(minute=0, second=0, microsecond=0)
        if starts_at > now:
            status = S.INVITED if rng.random() < 0.4 else S.CONFIRMED
        else:
            status = rng.choices(
                [S.CANCELLED, S.HELD, S.PLAN_RECORDED, S.IN_FOLLOW_UP, S.COOPERATION_ENDED],
                [6, 8, 50, 24, 12],
            )[0]
        invited_at = starts_at - datetime.timedelta(days=rng.gammavariate(2.0, 5.0) + 1)
        # Some meetings were arranged by phone and recorded in the app afterwards (no
        # invitation in the app); some were mixed (issue 17).
        afterwards = status != S.CANCELLED and starts_at < now and rng.random() < 0.08
        modality = rng.choices([*MODALITIES, Modality.MIXED], [50, 27, 13, 10])[0]
        return JointMeeting(
            youth=youth,
            organisation_id=youth.organisation_id,
            organiser_id=youth.responsible_worker_id,
            goal="Etuudet kuntoon.",
            topics=["student_aid"],
            modality=modality,
            starts_at=starts_at,
            language_id=youth.language_id,
            status=status,
            cancel_reason="Peruttu." if status == S.CANCELLED else "",
            consent=consent,
            invited_at=None if afterwards else invited_at,
            recorded_afterwards=afterwards,
            held_at=starts_at if status in (S.HELD, *JointMeeting.WITH_PLAN) else None,
        )

    # Feedback: links for the last year's meetings, a quarter of them answered ---------------
    # As the service leaves them: every link counted in its cell, the used and expired ones
    # deleted, each response in the cell of its county and quarter.

    def feedback(self, held, by_meeting, youth):
        rng = self.rng
        orgs = dict(Organisation.objects.values_list("pk", "county_id"))
        counties = {y.pk: orgs[y.organisation_id] for y in youth}
        year_ago = self.now - datetime.timedelta(days=365)
        links, responses, answers = [], [], []
        sent = collections.Counter()
        for m in held:
            if m.starts_at < year_ago:
                continue
            county_id = counties[m.youth_id]
            quarter = quarter_start(timezone.localdate(m.starts_at))
            expires_at = m.starts_at + datetime.timedelta(days=settings.FEEDBACK_LINK_DAYS)
            for p in by_meeting[m.pk]:
                group = group_of(p)
                sent[county_id, quarter, group] += 1
                if rng.random() >= self.answer_rate:  # not answered
                    if expires_at > self.now:
                        links.append(
                            SurveyLink(
                                # never answerable: not a token the service hands out
                                code=f"{self.label[0].upper()}{next(self.link_numbers):09d}",
                                meeting=m,
                                participant=p,
                                group=group,
                                created_at=m.starts_at,
                                expires_at=expires_at,
                            )
                        )
                    continue
                survey, questions = self.surveys[group]
                response = Response(
                    survey=survey,
                    group=group,
                    county_id=county_id,
                    quarter=quarter,
                    language="fi",
                )
                responses.append(response)
                for q in questions:
                    answers += self.answers(response, q)
        for (county_id, quarter, group), n in sent.items():
            links_count(county_id=county_id, quarter=quarter, group=group, n=n)
        SurveyLink.objects.bulk_create(links, batch_size=5_000)
        Response.objects.bulk_create(responses, batch_size=5_000)
        Answer.objects.bulk_create(answers, batch_size=5_000)
        self.counts["responses"] += len(responses)
        self.counts["answers"] += len(answers)

    def answers(self, response, q):
        rng = self.rng
        kind = q.kind
        if kind == "likert":
            return [
                Answer(
                    response=response,
                    question=q,
                    number=rng.choices(range(1, 6), [1, 2, 4, 8, 7])[0],
                )
            ]
        if kind == "yes_no":
            return [Answer(response=response, question=q, number=int(rng.random() < 0.85))]
        choices = list(q.choices.all())
        if kind == "single" and rng.random() < 0.8:
            return [Answer(response=response, question=q, choice=rng.choice(choices))]
        if kind == "multiple":
            picked = rng.sample(choices, rng.randint(1, 2))
            return [Answer(response=response, question=q, choice=c) for c in picked]
        if kind == "text" and rng.random() < 0.1:
            return [Answer(response=response, question=q, text="Hyvä tapaaminen.")]
        return []
