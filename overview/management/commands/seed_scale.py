"""A national-scale data set for benchmarks: `seed_scale --youth 60000` makes about 60,000 young
people in every wellbeing services county, 150,000 joint meetings over two years, 600,000
action items and 300,000 feedback answers, with bulk inserts (a few minutes on PostgreSQL).

The shapes follow the practice: most meetings are held and have a plan, some are cancelled,
the next month's are invited or confirmed; most tasks are done, some late, some overdue; a
quarter of the feedback links are answered. Names are made up ("Nuori 123"), there are no
identity codes. Repeatable: the same --seed gives the same data.
"""

import collections
import datetime
import itertools
import random
import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from cases.models import Consent, YouthClient
from feedback.models import GROUP_OF_KIND, Answer, Response, Survey, SurveyLink, quarter_start
from feedback.services import links_count
from kelayhteistyo.models import AccessLog, County, KelaContactProfile, Language, Organisation, User
from meetings.models import (
    ActionItem,
    FollowUpPlan,
    JointMeeting,
    Modality,
    Participant,
    PlanExport,
    Review,
)

CHUNK = 2_000  # young people per transaction
LOG_CHUNK = 1_000_000  # access-log rows per transaction
LOG_SPAN_SECONDS = 2 * 365 * 24 * 3600
LOG_OBJECTS = ["youthclient", "jointmeeting", "followupplan", "home", "meeting_list"]
# Each young person once, numbered, with their organisation and responsible worker.
LOG_YOUTH = """
CREATE TEMP TABLE seed_log_youth AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, organisation_id, responsible_worker_id
FROM cases_youthclient WHERE responsible_worker_id IS NOT NULL;
CREATE UNIQUE INDEX ON seed_log_youth (n);
"""
# Row g: young person g mod people; a time spread over the span (7919 is a prime: the times of
# one young person's rows are spread too); four reads to one change.
LOG_INSERT = """
INSERT INTO kelayhteistyo_accesslog
    (at, user_id, role, organisation_id, youth_id, action, object_type, object_id, basis)
SELECT %(now)s - make_interval(secs => (g * 7919) %% %(span)s),
    y.responsible_worker_id, 'aftercare_worker', y.organisation_id, y.id,
    (ARRAY['read', 'read', 'read', 'read', 'change'])[1 + g %% 5],
    (ARRAY['youthclient', 'jointmeeting', 'followupplan', 'home', 'meeting_list'])[1 + g %% 5],
    '', 'own_client'
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
JOIN seed_log_youth y ON y.n = g %% %(people)s
"""


LOG_REBUILD_INDEXES = 1_000_000


def _secondary_indexes(cursor) -> list[tuple[str, str]]:
    """The access log's indexes other than its primary key: (name, CREATE INDEX …)."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'kelayhteistyo_accesslog'"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint"
        " WHERE conrelid = 'kelayhteistyo_accesslog'::regclass)"
    )
    return cursor.fetchall()


def _superuser(cursor) -> bool:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    return cursor.fetchone()[0]


S = JointMeeting.Status
P = Participant.Kind
MODALITIES = [Modality.FACE_TO_FACE, Modality.VIDEO, Modality.PHONE]
GROUPS = [
    YouthClient.ClientGroup.AFTERCARE,
    YouthClient.ClientGroup.UNACCOMPANIED,
    YouthClient.ClientGroup.OTHER,
]


class Command(BaseCommand):
    help = "Generate a national-scale data set for benchmarks (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--youth", type=int, default=60_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument(
            "--log-rows",
            type=int,
            default=0,
            help="Also add this many access-log rows (on a database that already has the data "
            "set: only the rows).",
        )

    def handle(self, *args, youth, seed, force, log_rows, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to seed.")
        if YouthClient.objects.exists():
            if log_rows:
                self.access_log(log_rows)
                return
            raise CommandError("The database already has young people: use an empty database.")
        self.rng = random.Random(seed)  # noqa: S311 — repeatable test data, not a secret
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.people()
        surveys = Survey.objects.filter(is_current=True).prefetch_related("questions__choices")
        self.surveys = {s.group: (s, list(s.questions.all())) for s in surveys}
        self.link_numbers = itertools.count()
        self.counts = dict.fromkeys(["youth", "meetings", "items", "responses", "answers"], 0)
        for start in range(0, youth, CHUNK):
            with transaction.atomic():
                self.chunk(min(CHUNK, youth - start), start)
            self.stdout.write(
                "  " + ", ".join(f"{n:,} {what}" for what, n in self.counts.items()), ending="\r"
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "SELECT 1")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Scale data loaded."))
        if log_rows:
            self.access_log(log_rows)

    # The access log at scale (issue 20) ------------------------------------------------------

    def access_log(self, n: int) -> None:
        """n reads and changes of the young people's data by their own workers, spread evenly
        over the young people and the last two years. On PostgreSQL in the database itself
        (INSERT … SELECT generate_series, a million rows a transaction; the rows refer only to
        existing young people and workers, so the foreign-key checks are skipped with
        session_replication_role for that transaction — the append-only trigger, which guards
        UPDATE and DELETE, is untouched and holds afterwards)."""
        started = time.monotonic()
        if connection.vendor != "postgresql":
            self.access_log_python(n)
        else:
            with connection.cursor() as cursor:
                cursor.execute(LOG_YOUTH)
                cursor.execute("SELECT count(*) FROM seed_log_youth")
                people = cursor.fetchone()[0]
                cursor.execute("SELECT coalesce(max(id), 0) FROM kelayhteistyo_accesslog")
                first = cursor.fetchone()[0]
                skip_checks = _superuser(cursor)
                # Many rows: the secondary indexes are dropped and built again afterwards (a
                # sort, minutes instead of hours of random index inserts).
                indexes = _secondary_indexes(cursor) if n >= LOG_REBUILD_INDEXES else []
                for name, _definition in indexes:
                    cursor.execute(f'DROP INDEX "{name}"')
                try:
                    self.access_log_rows(cursor, n, people, first, skip_checks)
                finally:
                    cursor.execute("SET maintenance_work_mem = '512MB'")
                    for _name, definition in indexes:
                        cursor.execute(definition)
                    cursor.execute("RESET maintenance_work_mem")
                cursor.execute("DROP TABLE seed_log_youth")
                cursor.execute("ANALYZE kelayhteistyo_accesslog")
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"{n:,} access-log rows in {time.monotonic() - started:.0f} s.")
        )

    def access_log_rows(self, cursor, n: int, people: int, first: int, skip_checks: bool):
        now = getattr(self, "now", timezone.now())
        for start in range(0, n, LOG_CHUNK):
            params = {
                "first": first + start + 1,
                "last": first + min(start + LOG_CHUNK, n),
                "people": people,
                "now": now,
                "span": LOG_SPAN_SECONDS,
            }
            with transaction.atomic():
                if skip_checks:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                try:
                    cursor.execute(LOG_INSERT, params)
                finally:
                    # Back at once: SET LOCAL would last to the end of an enclosing
                    # transaction, and the triggers must hold for everything after.
                    if skip_checks:
                        cursor.execute("SET LOCAL session_replication_role = origin")
            done = min(start + LOG_CHUNK, n)
            self.stdout.write(f"  {done:,} access-log rows", ending="\r")

    def access_log_python(self, n: int) -> None:
        """The same rows with the ORM (SQLite, the tests)."""
        now = timezone.now()
        youth = list(YouthClient.objects.values_list("pk", "organisation_id", "responsible_worker"))
        actions = [AccessLog.Action.READ] * 4 + [AccessLog.Action.CHANGE]
        AccessLog.objects.bulk_create(
            (
                AccessLog(
                    at=now - datetime.timedelta(seconds=(i * 7919) % LOG_SPAN_SECONDS),
                    user_id=worker,
                    role=User.Role.AFTERCARE_WORKER,
                    organisation_id=org,
                    youth_id=pk,
                    action=actions[i % 5],
                    object_type=LOG_OBJECTS[i % 5],
                    object_id="",
                    basis=AccessLog.Basis.OWN_CLIENT,
                )
                for i, (pk, org, worker) in zip(range(n), itertools.cycle(youth), strict=False)
            ),
            batch_size=5_000,
        )

    # The organisations and people -------------------------------------------------------------

    def people(self):
        counties = list(County.objects.order_by("code"))
        self.fi = Language.objects.get(code="fi")
        self.languages = list(Language.objects.all())
        orgs = Organisation.objects.bulk_create(
            Organisation(
                name=f"{c.name_fi}, jälkihuolto", kind=Organisation.Kind.AFTERCARE, county=c
            )
            for c in counties
        )
        kela_org = Organisation.objects.create(name="Kela", kind=Organisation.Kind.KELA)
        password = make_password(None)  # unusable: nobody logs in as these people
        workers = User.objects.bulk_create(
            User(
                email=f"tyontekija{i}@scale.invalid",
                first_name="Työntekijä",
                last_name=str(i),
                role=User.Role.AFTERCARE_WORKER,
                organisation=orgs[i % len(orgs)],
                password=password,
            )
            for i in range(len(orgs) * 12)
        )
        kela = User.objects.bulk_create(
            User(
                email=f"kela{i}@scale.invalid",
                first_name="Kela",
                last_name=str(i),
                role=User.Role.KELA_CONTACT,
                organisation=kela_org,
                password=password,
            )
            for i in range(40)
        )
        KelaContactProfile.objects.bulk_create(KelaContactProfile(user=k) for k in kela)
        self.workers = workers
        self.kela = kela

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
            participants += [
                Participant(meeting=m, kind=P.YOUNG_PERSON, name="Nuori"),
                Participant(meeting=m, kind=P.AFTERCARE_WORKER, user_id=m.organiser_id),
                Participant(
                    meeting=m,
                    kind=P.KELA_CONTACT,
                    user=rng.choice(self.kela),
                    status=kela_status,
                    invited_at=m.invited_at,
                    responded_at=None if kela_status == "pending" else m.invited_at,
                    proposed_start=m.starts_at + datetime.timedelta(days=2)
                    if kela_status == "proposed"
                    else None,
                ),
            ]
        participants = Participant.objects.bulk_create(participants)
        by_meeting = {}
        for p in participants:
            by_meeting.setdefault(p.meeting_id, []).append(p)

        with_plan = [m for m in meetings if m.status in JointMeeting.WITH_PLAN]
        plans = FollowUpPlan.objects.bulk_create(
            FollowUpPlan(
                meeting=m,
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

    def meeting(self, youth, consent):
        rng, now = self.rng, self.now
        starts_at = now - datetime.timedelta(days=rng.uniform(-30, 730))
        starts_at = starts_at.replace(minute=0, second=0, microsecond=0)
        if starts_at > now:
            status = S.INVITED if rng.random() < 0.4 else S.CONFIRMED
        else:
            status = rng.choices(
                [S.CANCELLED, S.HELD, S.PLAN_RECORDED, S.IN_FOLLOW_UP, S.COOPERATION_ENDED],
                [6, 8, 50, 24, 12],
            )[0]
        invited_at = starts_at - datetime.timedelta(days=rng.gammavariate(2.0, 5.0) + 1)
        return JointMeeting(
            youth=youth,
            organisation_id=youth.organisation_id,
            organiser_id=youth.responsible_worker_id,
            goal="Etuudet kuntoon.",
            topics=["student_aid"],
            modality=rng.choices(MODALITIES, [55, 30, 15])[0],
            starts_at=starts_at,
            language_id=youth.language_id,
            status=status,
            cancel_reason="Peruttu." if status == S.CANCELLED else "",
            consent=consent,
            invited_at=invited_at,
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
                group = GROUP_OF_KIND[p.kind]
                sent[county_id, quarter, group] += 1
                if rng.random() >= 0.25:  # not answered
                    if expires_at > self.now:
                        links.append(
                            SurveyLink(
                                code=f"S{next(self.link_numbers):09d}",  # never answerable
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
