import datetime

import factory
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Consent, CooperationRequest, SpecialServiceReferral, YouthClient
from cases.services import cooperation_request_send, special_referral_create
from kelayhteistyo.middleware import HAS_SECOND_FACTOR
from kelayhteistyo.models import County, KelaContactProfile, Language, Organisation, User
from meetings import services
from meetings.models import JointMeeting, Modality, Participant

PASSWORD = "oikein-hyva-salasana-42"

# The young people's names. Many tests check that a young person's name is *not* on a page, a
# message or a file that also shows other people; a random name that happens to be part of
# another ("Kai" in "Kaisa") would fail them by chance. These names are part of no other Faker
# fi_FI name (the users' names), of none of the names, words and catalogs in the sources, and of
# no other name here; tests/test_factories.py keeps it so. Consecutive young people (those of one
# test) have different names.
YOUTH_FIRST_NAMES = (
    "Alexander",
    "Alexandra",
    "Amanda",
    "Anneli",
    "Anniina",
    "Annukka",
    "Antero",
    "Aulikki",
    "Benjamin",
    "Birgitta",
    "Einari",
    "Elmeri",
    "Emilia",
    "Eveliina",
    "Hilkka",
    "Hillevi",
    "Johanna",
    "Josefiina",
    "Julius",
    "Juulia",
    "Kaarina",
    "Kirsti",
    "Kustaa",
    "Kyllikki",
    "Linnea",
    "Maaria",
    "Maarit",
    "Maritta",
    "Marjatta",
    "Pirkko",
    "Rasmus",
    "Riitta",
    "Robert",
    "Sakari",
    "Sebastian",
    "Taneli",
    "Tapani",
    "Terttu",
    "Tuulikki",
    "Uolevi",
)
YOUTH_LAST_NAMES = (
    "Hakkarainen",
    "Hannula",
    "Heikkilä",
    "Helminen",
    "Holmberg",
    "Honkanen",
    "Hyvärinen",
    "Jauhiainen",
    "Karjalainen",
    "Karvinen",
    "Ketola",
    "Koskela",
    "Kuisma",
    "Lassila",
    "Lehtinen",
    "Leppänen",
    "Lindberg",
    "Marttila",
    "Moisio",
    "Mäenpää",
    "Palomäki",
    "Peltoniemi",
    "Penttinen",
    "Pitkänen",
    "Riihimäki",
    "Riikonen",
    "Räisänen",
    "Sainio",
    "Salomaa",
    "Seppänen",
    "Simola",
    "Suhonen",
    "Suominen",
    "Takala",
    "Tanskanen",
    "Tiainen",
    "Tikkanen",
    "Uotila",
    "Valtonen",
    "Välimäki",
)


def county(code="etela-pohjanmaa"):
    return County.objects.get(code=code)


def language(code="fi"):
    return Language.objects.get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Hyvinvointialue {n}")
    kind = Organisation.Kind.AFTERCARE
    county = factory.LazyFunction(county)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.fi")
    first_name = factory.Faker("first_name", locale="fi_FI")
    last_name = factory.Faker("last_name", locale="fi_FI")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkerFactory(UserFactory):
    role = User.Role.AFTERCARE_WORKER
    organisation = factory.SubFactory(OrganisationFactory)


class KelaOrganisationFactory(OrganisationFactory):
    name = "Kela"
    kind = Organisation.Kind.KELA
    county = None


class KelaContactFactory(UserFactory):
    role = User.Role.KELA_CONTACT
    organisation = factory.SubFactory(KelaOrganisationFactory)

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        if create:
            profile = KelaContactProfile.objects.create(user=obj, title="Asiantuntija")
            profile.areas.set([county()])
            profile.languages.set([language("fi"), language("sv")])


class CoordinatorFactory(UserFactory):
    role = User.Role.COORDINATOR
    organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.PARTNER)


class YouthFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YouthClient

    organisation = factory.SubFactory(OrganisationFactory)
    responsible_worker = factory.SubFactory(
        WorkerFactory, organisation=factory.SelfAttribute("..organisation")
    )
    first_name = factory.Sequence(lambda n: YOUTH_FIRST_NAMES[n % len(YOUTH_FIRST_NAMES)])
    # A stride prime to the list's length: the pairs differ from one run of names to the next.
    last_name = factory.Sequence(lambda n: YOUTH_LAST_NAMES[n * 7 % len(YOUTH_LAST_NAMES)])
    date_of_birth = factory.LazyFunction(
        lambda: (
            timezone.localdate().replace(month=1, day=15) - datetime.timedelta(days=int(19.5 * 365))
        )
    )
    language = factory.LazyFunction(language)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    youth = factory.SubFactory(YouthFactory)
    how_given = Consent.HowGiven.IN_WRITING
    given_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    recorded_by = factory.SelfAttribute("youth.responsible_worker")


class MeetingFactory(factory.django.DjangoModelFactory):
    """A draft meeting with the young person and the worker as participants."""

    class Meta:
        model = JointMeeting
        skip_postgeneration_save = True

    youth = factory.SubFactory(YouthFactory)
    organiser = factory.SelfAttribute("youth.responsible_worker")
    goal = "Opintotuki ja asumistuki kuntoon"
    topics = factory.LazyFunction(lambda: ["student_aid", "housing"])
    modality = Modality.FACE_TO_FACE
    place = "Jälkihuollon toimisto"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    language = factory.LazyFunction(language)

    @factory.post_generation
    def participants(obj, create, extracted, **kwargs):
        if create:
            Participant.objects.create(
                meeting=obj, kind=Participant.Kind.YOUNG_PERSON, name=obj.youth.first_name
            )
            Participant.objects.create(
                meeting=obj, kind=Participant.Kind.AFTERCARE_WORKER, user=obj.organiser
            )


def invited_meeting(*, youth, organiser, kela, starts_at=None) -> JointMeeting:
    meeting = MeetingFactory(
        youth=youth,
        organiser=organiser,
        starts_at=starts_at or timezone.now() + datetime.timedelta(days=3),
    )
    services.meeting_invite(meeting=meeting, kela_contact=kela, by=organiser)
    return meeting


def kela_participant(meeting, kela) -> Participant:
    return meeting.participants.get(user=kela)


def move_into_past(meeting: JointMeeting, days: int = 1) -> JointMeeting:
    """Time passes: the meeting's time is now behind us."""
    JointMeeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=days)
    )
    meeting.refresh_from_db()
    return meeting


def held_meeting(*, youth, organiser, kela) -> JointMeeting:
    meeting = invited_meeting(youth=youth, organiser=organiser, kela=kela)
    services.invitation_respond(
        participant=kela_participant(meeting, kela), answer="accepted", by=kela
    )
    meeting = move_into_past(meeting)
    return services.meeting_mark_held(meeting=meeting, by=organiser)


def log_in(client, user):
    """Log `user` in; coordinators and admins also with their second factor, as they must."""
    client.force_login(user)
    if user.requires_second_factor:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[HAS_SECOND_FACTOR] = True
        session.save()
    return client


def cooperation_request(*, kela, organisation, **fields) -> CooperationRequest:
    """A cooperation request Kela sent to an aftercare unit (issue 18)."""
    values = {
        "first_name": "Ahmad",
        "last_name": "Rahimi",
        "date_of_birth": timezone.localdate().replace(month=1, day=15)
        - datetime.timedelta(days=int(19.5 * 365)),
        "noticed": "Opinnot keskeytyivät, ei tuloja.",
        "asked": "Voisiko jälkihuolto ottaa yhteyttä ja varata yhteisen tapaamisen?",
        "contact_agreed": "Puhelimitse iltapäivisin 040 123 4567",
        **fields,
    }
    return cooperation_request_send(
        request=CooperationRequest(organisation=organisation, **values), by=kela
    )


def special_referral(*, youth, worker, **fields) -> SpecialServiceReferral:
    """A referral to Kela's special service (issue 18); the consent must cover it."""
    values = {
        "reason": "Toimeentulo ja opinnot ovat jumissa, tarvitaan tiiviimpää tukea.",
        "tried": "Kaksi yhteistä tapaamista, opintotukihakemus.",
        "youth_view": "Haluan jonkun, joka auttaa Kelan asioissa pidempään.",
        **fields,
    }
    return special_referral_create(
        referral=SpecialServiceReferral(youth=youth, **values), by=worker
    )
