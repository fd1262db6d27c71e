"""Demo data: two aftercare organisations, Kela contacts, a coordinator, young people in every
state. The same logins on every run; dates are relative to today so that the states make sense.

Beside the named people, an anonymous history (`overview.history`, the generator of
`seed_scale`): 300 young people over 18 months in three other counties, so that the dashboard
and the feedback results show real-looking figures above the suppression limit. Its workers
and Kela contacts are inactive users (nobody logs in as them, no reminder goes to them, the
directory leaves them out) of organisations of their own, so the named people's lists stay as
they are."""

import datetime
import random
from base64 import b32encode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Consent, CooperationRequest, YouthClient
from cases.services import cooperation_request_decline, cooperation_request_send
from feedback import services as feedback_services
from feedback.models import Answer, Group, Response, Survey, quarter_start
from kelayhteistyo.models import County, KelaContactProfile, Language, Organisation, User
from meetings import services as meeting_services
from meetings.models import (
    ActionItem,
    FollowUpPlan,
    JointMeeting,
    Modality,
    Participant,
    Review,
    Topic,
)
from overview.history import History
from overview.rollups import rollups_rebuild

PASSWORD = "demo-salasana-2026"
# The coordinator and the admin must use two-factor authentication; in the demo their
# authenticator key is this fixed one (`manage.py demo_code` prints the current code).
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
# The anonymous history: its counties are not those of the named organisations.
HISTORY_YOUTH = 300
HISTORY_DAYS = 548  # 18 months
HISTORY_COUNTIES = ["pirkanmaa", "varsinais-suomi", "pohjois-pohjanmaa"]
CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"

LOGINS = [
    ("tyontekija.a@demo.fi", "Aftercare worker, first organisation (South Ostrobothnia)"),
    ("tyontekija.a2@demo.fi", "Aftercare worker, first organisation"),
    ("tyontekija.b@demo.fi", "Aftercare worker, second organisation (Kanta-Häme)"),
    ("tyontekija.b2@demo.fi", "Aftercare worker, second organisation"),
    ("kela.yhteys@demo.fi", "Kela contact person with invitations"),
    ("kela.toinen@demo.fi", "Kela contact person invited to nothing"),
    ("kela.kolmas@demo.fi", "Kela contact person, Swedish-speaking"),
    ("koordinaattori@demo.fi", "Coordinator"),
    ("admin@demo.fi", "Administrator (Django admin)"),
]


def demo_identity_code(born: datetime.date, individual: int) -> str:
    """A valid identity code in the 900–999 range, which is never given to real people."""
    century = {18: "+", 19: "-", 20: "A"}[born.year // 100]
    digits = f"{born:%d%m%y}{individual:03d}"
    return f"{born:%d%m%y}{century}{individual:03d}{CHECK_CHARS[int(digits) % 31]}"


class Command(BaseCommand):
    help = "Load demo data (refuses to run when DEBUG is off unless --force is given)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to seed.")
        if User.objects.filter(email="tyontekija.a@demo.fi").exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            with transaction.atomic():
                self.seed()
                self.history()
                rollups_rebuild()  # the demo's dates are set past the services
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"\nDemo logins (password for all: {PASSWORD}):")
        for email, what in LOGINS:
            self.stdout.write(f"  {email:26} {what}")
        key = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
        self.stdout.write(
            "\nThe coordinator and the admin also need a code from an authenticator app:\n"
            f"  add the key {key} to the app, or run `make demo-code` for the current code."
        )

    def history(self):
        """The anonymous history behind the dashboards (see the module's docstring)."""
        counts = History(
            seed=2026,
            days=HISTORY_DAYS,
            # A pilot that hands out links and QR codes at the meeting gets more answers than a
            # survey sent afterwards (seed_scale's 25 %); enough for cells of 5 in 3 counties.
            answer_rate=0.45,
            label="historia",
            workers_per_org=4,
            kela_contacts=8,
            # Most meetings have someone of the network too (issue 17): support persons and
            # workers of immigrant services, every other one, both groups with answers.
            other_share=0.8,
            active=False,
        ).generate(youth=HISTORY_YOUTH, counties=County.objects.filter(code__in=HISTORY_COUNTIES))
        self.stdout.write(
            "Anonymous history: "
            + ", ".join(f"{n:,} {what}" for what, n in counts.items())
            + f" in {len(HISTORY_COUNTIES)} counties."
        )

    def user(self, email, first, last, role, org, **extra):
        return User.objects.create_user(
            email,
            PASSWORD,
            first_name=first,
            last_name=last,
            role=role,
            organisation=org,
            **extra,
        )

    def seed(self):
        self.today = timezone.localdate()
        county = {c.code: c for c in County.objects.all()}
        self.lang = {lang.code: lang for lang in Language.objects.all()}
        org_a = Organisation.objects.create(
            name="Etelä-Pohjanmaan hyvinvointialue, jälkihuolto",
            kind=Organisation.Kind.AFTERCARE,
            county=county["etela-pohjanmaa"],
            municipality="Seinäjoki",
        )
        org_b = Organisation.objects.create(
            name="Kanta-Hämeen hyvinvointialue, jälkihuolto",
            kind=Organisation.Kind.AFTERCARE,
            county=county["kanta-hame"],
            municipality="Hämeenlinna",
        )
        kela = Organisation.objects.create(name="Kela", kind=Organisation.Kind.KELA)
        project = Organisation.objects.create(
            name="Yhteistyö-hanke, koordinaatio", kind=Organisation.Kind.PARTNER
        )
        W = User.Role.AFTERCARE_WORKER
        anna = self.user("tyontekija.a@demo.fi", "Anna", "Aaltonen", W, org_a, phone="040 123 4567")
        self.user("tyontekija.a2@demo.fi", "Mikko", "Mäkelä", W, org_a)
        liisa = self.user("tyontekija.b@demo.fi", "Liisa", "Lehtonen", W, org_b)
        self.user("tyontekija.b2@demo.fi", "Pekka", "Virtanen", W, org_b)
        K = User.Role.KELA_CONTACT
        kaisa = self.user("kela.yhteys@demo.fi", "Kaisa", "Korhonen", K, kela, phone="020 634 0000")
        jukka = self.user("kela.toinen@demo.fi", "Jukka", "Nieminen", K, kela)
        sara = self.user("kela.kolmas@demo.fi", "Sara", "Berg", K, kela, preferred_language="sv")
        for person, areas, langs in [
            (kaisa, ["etela-pohjanmaa", "pohjanmaa", "kanta-hame"], ["fi", "sv", "en"]),
            (jukka, ["kanta-hame", "pirkanmaa"], ["fi", "en"]),
            (sara, ["pohjanmaa", "keski-pohjanmaa"], ["sv", "fi"]),
        ]:
            profile = KelaContactProfile.objects.create(user=person, title="Asiantuntija")
            profile.areas.set([county[c] for c in areas])
            profile.languages.set([self.lang[code] for code in langs])
        # Free times to book in one step (issue 18): Kaisa by video on Tuesday mornings, Jukka
        # at the Kela office on Thursday afternoons, for the next four weeks.
        for person, weekday, hours, way, place in [
            (kaisa, 1, (9, 12), Modality.VIDEO, ""),
            (jukka, 3, (13, 15), Modality.FACE_TO_FACE, "Kelan toimisto, Hämeenlinna"),
        ]:
            first = timezone.localdate() + datetime.timedelta(days=1)
            first += datetime.timedelta(days=(weekday - first.weekday()) % 7)
            meeting_services.slots_publish(
                contact=person,
                starts_on=first,
                repeat_until=first + datetime.timedelta(weeks=3),
                start_time=datetime.time(hours[0]),
                end_time=datetime.time(hours[1]),
                length=60,
                modality=way,
                place=place,
            )
        coordinator = self.user(
            "koordinaattori@demo.fi", "Kirsi", "Koordinaattori", User.Role.COORDINATOR, project
        )
        admin = User.objects.create_superuser(
            "admin@demo.fi", PASSWORD, first_name="Ylläpito", last_name="Demo"
        )
        for user in (coordinator, admin):  # they must use a second factor
            TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY, confirmed=True)

        S = JointMeeting.Status
        # First organisation: every state of the flow.
        aino = self.youth(org_a, anna, "Aino", "Järvinen", 19, 901)
        self.consent(aino, anna)
        self.meeting(aino, anna, kaisa, S.INVITED, days=5)
        ahmad = self.youth(
            org_a,
            anna,
            "Ahmad",
            "Rahimi",
            18,
            902,
            group=YouthClient.ClientGroup.UNACCOMPANIED,
            lang="prs",
            interpreter=True,
        )
        self.consent(ahmad, anna, identity=True)
        self.meeting(ahmad, anna, kaisa, S.CONFIRMED, days=2, modality=Modality.VIDEO)
        leo = self.youth(org_a, anna, "Leo", "Salo", 20, 903)
        self.consent(leo, anna)
        m = self.meeting(leo, anna, kaisa, S.INVITED, days=3)
        m.participants.filter(user=kaisa).update(
            status=Participant.Status.PROPOSED,
            proposed_start=m.starts_at + datetime.timedelta(days=1),
            response_message="Sopisiko seuraava päivä samaan aikaan?",
            responded_at=timezone.now(),
        )
        elias = self.youth(org_a, anna, "Elias", "Heikkinen", 21, 904)
        self.consent(elias, anna)
        self.meeting(elias, anna, kaisa, S.HELD, days=-1)
        sofia = self.youth(org_a, anna, "Sofia", "Laine", 22, 905)
        # Her aftercare ends in ten weeks: the record shows the task "plan the hand-over to
        # adult services" (issue 17) until a plan records where she moves to.
        sofia.aftercare_ends_on = self.today + datetime.timedelta(weeks=10)
        sofia.save(update_fields=["aftercare_ends_on"])
        self.consent(sofia, anna)
        m = self.meeting(sofia, anna, kaisa, S.PLAN_RECORDED, days=-30)
        self.plan(m, anna, review_in=3)
        mira = self.youth(org_a, anna, "Mira", "Koskinen", 17, 906)
        c = self.consent(mira, anna)
        c.withdrawn_at, c.withdrawn_by = timezone.now() - datetime.timedelta(days=2), anna
        c.withdrawal_note = "Nuori ilmoitti puhelimessa."
        c.save()
        m = self.meeting(mira, anna, kaisa, S.CANCELLED, days=4)
        m.cancel_reason = "Nuori peruutti suostumuksensa."
        m.save()
        yonas = self.youth(
            org_a,
            anna,
            "Yonas",
            "Tesfaye",
            23,
            907,
            group=YouthClient.ClientGroup.UNACCOMPANIED,
            lang="ti",
            interpreter=True,
        )
        self.consent(yonas, anna)
        m = self.meeting(yonas, anna, kaisa, S.IN_FOLLOW_UP, days=-90)
        plan = self.plan(m, anna, review_in=45)
        Review.objects.create(
            plan=plan,
            agreed_for=self.today - datetime.timedelta(days=21),
            held_on=self.today - datetime.timedelta(days=20),
            with_young_person=True,
            with_kela=True,
            kela_continues=plan.kela_cooperation == "yes",
            how_it_went="Opintotuki myönnetty. Asumistukihakemus vielä kesken.",
            next_review_date=self.today + datetime.timedelta(days=45),
            recorded_by=anna,
        )
        self.meeting(yonas, anna, None, S.DRAFT, days=60)
        noora = self.youth(org_a, anna, "Noora", "Mattila", 16, 908)
        self.meeting(noora, anna, None, S.DRAFT, days=10)

        # Second organisation.
        emma = self.youth(org_b, liisa, "Emma", "Nurmi", 20, 911)
        self.consent(emma, liisa)
        self.meeting(emma, liisa, kaisa, S.INVITED, days=6, modality=Modality.PHONE)
        omar = self.youth(
            org_b,
            liisa,
            "Omar",
            "Hassan",
            19,
            912,
            group=YouthClient.ClientGroup.UNACCOMPANIED,
            lang="so",
            interpreter=True,
        )
        self.consent(omar, liisa)
        m = self.meeting(omar, liisa, kaisa, S.PLAN_RECORDED, days=-20)
        self.plan(m, liisa, review_in=-2)
        ville = self.youth(org_b, liisa, "Ville", "Kinnunen", 24, 913)
        self.consent(ville, liisa)
        m = self.meeting(ville, liisa, kaisa, S.COOPERATION_ENDED, days=-120)
        plan = self.plan(m, liisa, review_in=-60)
        Review.objects.create(
            plan=plan,
            agreed_for=plan.review_date,
            held_on=plan.review_date,
            with_young_person=True,
            how_it_went="Opintotuki ja asumistuki kunnossa, nuori hoitaa asiansa itse.",
            close_cooperation=True,
            end_reason=Review.EndReason.GOALS_REACHED,
            recorded_by=liisa,
        )
        plan.review_date, plan.kela_cooperation = None, FollowUpPlan.KelaCooperation.NO
        plan.save(update_fields=["review_date", "kela_cooperation"])

        # Kela starts cooperation (issue 18): Kaisa's request waits for the first
        # organisation; the second organisation declined hers.
        self.cooperation_request(kaisa, org_a, "Jenna", "Lindqvist", 19)
        declined = self.cooperation_request(kaisa, org_b, "Oskari", "Rantanen", 20)
        cooperation_request_decline(
            request=declined,
            by=liisa,
            reason="Nuori ei ole ollut sijoitettuna Kanta-Hämeessä: ota yhteyttä Pirkanmaalle.",
        )
        self.feedback()

    def feedback(self):
        """Survey links of the held meetings (the participants' own, unanswered), and enough
        answers from the last quarter that is over for the results to show: every cell (county
        × quarter × survey version) needs 5 or more. Answered links are deleted in the service,
        so the answered ones here are only counted in the response rates."""
        held = JointMeeting.objects.filter(held_at__isnull=False).select_related(
            "youth__organisation"
        )
        for meeting in held:
            feedback_services.links_create(meeting)
        rng = random.Random(2026)  # noqa: S311 — repeatable demo answers, not a secret
        county = County.objects.get(code="etela-pohjanmaa")
        last_quarter = quarter_start(quarter_start(self.today) - datetime.timedelta(days=1))
        comments = {
            Group.YOUNG_PERSON: [
                "Hyvä, että Kelan ihminen oli paikalla.",
                "Sain vihdoin selvyyden opintotuesta.",
                "Olisin halunnut enemmän aikaa.",
            ],
            Group.AFTERCARE: ["Säästi monta puhelua.", "Tulkki kannattaa varata ajoissa."],
            Group.KELA: ["Hyvä käytäntö, jatketaan."],
        }
        for group, n in ((Group.YOUNG_PERSON, 12), (Group.AFTERCARE, 9), (Group.KELA, 7)):
            survey = Survey.objects.get(group=group, is_current=True)
            questions = list(survey.questions.prefetch_related("choices"))
            feedback_services.links_count(
                county_id=county.pk, quarter=last_quarter, group=group, n=n + 4
            )
            for i in range(n):
                response = Response.objects.create(
                    survey=survey, group=group, county=county, quarter=last_quarter, language="fi"
                )
                for q in questions:
                    choices = list(q.choices.all())
                    if q.kind == "likert":
                        rows = [{"number": rng.choices(range(1, 6), [1, 1, 3, 6, 6])[0]}]
                    elif q.kind == "yes_no":
                        rows = [{"number": int(rng.random() < 0.85)}]
                    elif q.kind == "single":
                        rows = [{"choice": rng.choice(choices)}]
                    elif q.kind == "multiple":
                        rows = [{"choice": c} for c in rng.sample(choices, rng.randint(1, 3))]
                    elif i < len(comments[group]):
                        rows = [{"text": comments[group][i]}]
                    else:
                        rows = []
                    for row in rows:
                        Answer.objects.create(response=response, question=q, **row)

    def youth(
        self, org, worker, first, last, age, individual, *, group=None, lang="fi", interpreter=False
    ):
        born = self.today.replace(year=self.today.year - age) - datetime.timedelta(days=40 + age)
        return YouthClient.objects.create(
            organisation=org,
            responsible_worker=worker,
            first_name=first,
            last_name=last,
            date_of_birth=born,
            identity_code=demo_identity_code(born, individual),
            client_group=group or YouthClient.ClientGroup.AFTERCARE,
            language=self.lang[lang],
            needs_interpreter=interpreter,
            email=f"{first.lower()}@example.invalid",
        )

    def cooperation_request(self, kela_user, unit, first, last, age):
        born = self.today.replace(year=self.today.year - age) - datetime.timedelta(days=50)
        request = CooperationRequest(
            organisation=unit,
            first_name=first,
            last_name=last,
            date_of_birth=born,
            noticed="Opinnot keskeytyivät syksyllä, eikä nuorella ole nyt tuloja.",
            asked="Voisiko jälkihuolto ottaa yhteyttä nuoreen ja varata yhteisen tapaamisen?",
            contact_agreed="Puhelimitse iltapäivisin; nuori tietää, että jälkihuolto soittaa.",
        )
        return cooperation_request_send(request=request, by=kela_user)

    def consent(self, youth, worker, *, identity=False):
        return Consent.objects.create(
            youth=youth,
            how_given=Consent.HowGiven.IN_WRITING,
            recorded_by=worker,
            given_at=timezone.now() - datetime.timedelta(days=120),
            valid_until=self.today + datetime.timedelta(days=365),
            scope_reminders=True,
            # Kela may see who the young person is (issue 18): Ahmad's consent covers it.
            scope_kela_identity=identity,
        )

    def meeting(self, youth, worker, kela_user, status, *, days, modality=Modality.FACE_TO_FACE):
        start = timezone.make_aware(
            datetime.datetime.combine(
                self.today + datetime.timedelta(days=days), datetime.time(10, 0)
            )
        )
        S = JointMeeting.Status
        meeting = JointMeeting.objects.create(
            youth=youth,
            organiser=worker,
            goal="Selvitetään, miten jälkihuolto vaikuttaa opintotukeen ja asumistukeen, ja "
            "sovitaan seuraavat askeleet.",
            topics=[Topic.STUDENT_AID, Topic.HOUSING, Topic.APPLYING],
            youth_questions="Voinko saada opintolainaa, jos saan itsenäistymisvaroja?",
            modality=modality,
            place="Jälkihuollon toimisto, Kauppakatu 1"
            if modality == Modality.FACE_TO_FACE
            else "",
            video_link="https://video.example.invalid/abc" if modality == Modality.VIDEO else "",
            starts_at=start,
            language=youth.language,
            interpreter_needed=youth.needs_interpreter,
            status=status,
            consent=youth.consents.first(),
            invited_at=None if status == S.DRAFT else start - datetime.timedelta(days=8),
            held_at=start if status in (S.HELD, *JointMeeting.WITH_PLAN) else None,
        )
        Participant.objects.create(
            meeting=meeting, kind=Participant.Kind.YOUNG_PERSON, name=youth.first_name
        )
        Participant.objects.create(
            meeting=meeting, kind=Participant.Kind.AFTERCARE_WORKER, user=worker
        )
        if kela_user:
            answered = status not in (S.INVITED, S.CANCELLED)
            Participant.objects.create(
                meeting=meeting,
                kind=Participant.Kind.KELA_CONTACT,
                user=kela_user,
                status=Participant.Status.ACCEPTED if answered else Participant.Status.PENDING,
                invited_at=meeting.invited_at,
                responded_at=start - datetime.timedelta(days=6) if answered else None,
            )
        return meeting

    def plan(self, meeting, worker, *, review_in):
        day = timezone.localdate(meeting.starts_at)
        plan = FollowUpPlan.objects.create(
            meeting=meeting,
            updated_by=worker,
            summary="Käytiin läpi opintotuki, asumistuki ja itsenäistymisvarat. Nuori hakee "
            "opintotukea ja asumistukea; Kela neuvoo liitteissä.",
            kela_cooperation=FollowUpPlan.KelaCooperation.YES,
            kela_cooperation_how="Kelan yhteyshenkilö on tukena hakemusten käsittelyssä.",
            progress_followup="Tarkistetaan yhdessä tarkistuspäivänä.",
            review_date=self.today + datetime.timedelta(days=review_in),
            recorded_in_client_plan=True,
        )
        people = {p.kind: p for p in meeting.participants.all()}
        P = Participant.Kind
        rows = [
            (P.YOUNG_PERSON, "Hakee opintotukea OmaKelassa", -10, True),
            (P.KELA_CONTACT, "Selvittää asumistuen liitteet ja soittaa nuorelle", -3, False),
            (P.AFTERCARE_WORKER, "Päättää itsenäistymisvarojen käytöstä", 7, False),
        ]
        for kind, what, due, done in rows:
            ActionItem.objects.create(
                plan=plan,
                owner=people[kind],
                what=what,
                due_date=day + datetime.timedelta(days=(self.today - day).days + due),
                status=ActionItem.Status.DONE if done else ActionItem.Status.OPEN,
                done_at=timezone.now() if done else None,
            )
        return plan
