"""The default surveys, one per respondent group, written for the joint-meeting model.

The pilot moved from open questions to multiple choice to get comparable answers; these follow
that: statements on a 1–5 scale, a yes / no, choices, and one optional free comment. The same
`key` in every group lets coordinators compare groups question by question.

They are installed after `migrate` (post_migrate, like the reference data) for every group that
has no survey yet, so a fresh database, a test database and a flushed one all have them; a group
whose survey a coordinator has edited is left alone.
"""

from django.db import transaction

from .models import Choice, Group, Question, Survey

L, YN, ONE, MANY, TEXT = (k.value for k in Question.Kind)

AGAIN = (
    "again",
    YN,
    True,
    (
        "Osallistuisin samanlaiseen tapaamiseen uudelleen.",
        "Jag skulle delta i ett liknande möte igen.",
        "I would take part in a similar meeting again.",
    ),
)
FORMATS = (
    ("Kasvokkain", "Ansikte mot ansikte", "Face to face"),
    ("Video", "Video", "Video"),
    ("Puhelin", "Telefon", "Phone"),
    ("Ei väliä", "Spelar ingen roll", "No preference"),
)

YOUTH = {
    "title": ("Miten tapaaminen meni?", "Hur gick mötet?", "How did the meeting go?"),
    "intro": (
        "Kerro lyhyesti, miten tapaaminen Kelan ja jälkihuollon kanssa meni. Vastaaminen vie "
        "noin 2 minuuttia. Vastauksesi on nimetön: kukaan ei näe, mitä sinä vastasit.",
        "Berätta kort hur mötet med FPA och eftervården gick. Det tar ungefär 2 minuter. "
        "Ditt svar är anonymt: ingen ser vad just du svarade.",
        "Tell us briefly how the meeting with Kela and aftercare went. It takes about "
        "2 minutes. Your answer is anonymous: nobody sees what you answered.",
    ),
    "questions": [
        (
            "got_info",
            L,
            True,
            (
                "Sain tarvitsemani tiedon etuuksista.",
                "Jag fick den information jag behövde om förmåner.",
                "I got the information I needed about benefits.",
            ),
        ),
        (
            "next_steps",
            L,
            True,
            (
                "Sovimme selvästi, mitä seuraavaksi tehdään.",
                "Vi kom tydligt överens om vad som görs härnäst.",
                "We agreed clearly what happens next.",
            ),
        ),
        ("listened", L, True, ("Minua kuunneltiin.", "Jag blev lyssnad på.", "I was listened to.")),
        AGAIN,
        (
            "helped_with",
            MANY,
            False,
            (
                "Missä asioissa tapaaminen auttoi? Valitse kaikki sopivat.",
                "Vad hjälpte mötet med? Välj alla som passar.",
                "What did the meeting help with? Choose all that fit.",
            ),
            (
                ("Opintotuki", "Studiestöd", "Student financial aid"),
                ("Asumistuki", "Bostadsbidrag", "Housing allowance"),
                ("Toimeentulotuki", "Utkomststöd", "Social assistance"),
                ("Kuntoutus", "Rehabilitering", "Rehabilitation"),
                ("Hakemusten tekeminen", "Att göra ansökningar", "Making applications"),
                ("Jokin muu", "Något annat", "Something else"),
            ),
        ),
        (
            "format",
            ONE,
            False,
            (
                "Millainen tapaaminen sopii sinulle parhaiten?",
                "Vilket slags möte passar dig bäst?",
                "Which kind of meeting suits you best?",
            ),
            FORMATS,
        ),
        (
            "comment",
            TEXT,
            False,
            (
                "Haluatko sanoa vielä jotain? Älä kirjoita nimiä tai muita henkilötietoja.",
                "Vill du säga något mer? Skriv inte namn eller andra personuppgifter.",
                "Anything else you want to say? Please do not write names or other personal "
                "details.",
            ),
        ),
    ],
}


def youth_texts() -> list[str]:
    """The English texts of the young people's default survey: the youth languages translate
    them (`feedback.models.in_language`; listed in kelayhteistyo/youth.py)."""
    texts = [YOUTH["title"][2], YOUTH["intro"][2]]
    for question in YOUTH["questions"]:
        texts.append(question[3][2])
        texts += [choice[2] for choice in (question[4] if len(question) > 4 else ())]
    return texts


PROFESSIONALS = {
    "title": (
        "Palaute yhteistapaamisesta",
        "Respons på det gemensamma mötet",
        "Feedback on the joint meeting",
    ),
    "intro": (
        "Kysely vie noin 2 minuuttia. Vastaukset käsitellään nimettöminä ja koottuina: "
        "yksittäistä vastaajaa ei voi tunnistaa.",
        "Enkäten tar ungefär 2 minuter. Svaren behandlas anonymt och sammanställda: ingen "
        "enskild svarande kan identifieras.",
        "The survey takes about 2 minutes. Answers are handled anonymously and only in "
        "aggregate: no single respondent can be identified.",
    ),
    "questions": [
        (
            "useful",
            L,
            True,
            (
                "Tapaamisesta oli hyötyä nuoren tilanteessa.",
                "Mötet var till nytta i den unga personens situation.",
                "The meeting was useful for the young person's situation.",
            ),
        ),
        (
            "next_steps",
            L,
            True,
            (
                "Jatkosta sovittiin selkeästi: kuka tekee mitä ja milloin.",
                "Det fortsatta arbetet avtalades tydligt: vem gör vad och när.",
                "The next steps were agreed clearly: who does what and when.",
            ),
        ),
        (
            "saved_time",
            L,
            True,
            (
                "Tapaaminen säästi aikaa myöhemmin.",
                "Mötet sparade tid senare.",
                "The meeting saved time later.",
            ),
        ),
        (
            "learned",
            L,
            True,
            (
                "Opin toisen organisaation työstä.",
                "Jag lärde mig om den andra organisationens arbete.",
                "I learned about the other organisation's work.",
            ),
        ),
        AGAIN,
        (
            "format",
            ONE,
            False,
            (
                "Mikä tapaamismuoto toimii näissä tapaamisissa parhaiten?",
                "Vilken mötesform fungerar bäst för dessa möten?",
                "Which meeting format works best for these meetings?",
            ),
            FORMATS,
        ),
        (
            "comment",
            TEXT,
            False,
            (
                "Vapaa kommentti. Älä kirjoita nimiä tai muita henkilötietoja.",
                "Fri kommentar. Skriv inte namn eller andra personuppgifter.",
                "A free comment. Please do not write names or other personal details.",
            ),
        ),
    ],
}

# The young person's own people: a support person or a family member who took part (issue 17).
OWN_PEOPLE = {
    "title": (
        "Miten tapaaminen meni?",
        "Hur gick mötet?",
        "How did the meeting go?",
    ),
    "intro": (
        "Olit mukana nuoren tukena jälkihuollon ja Kelan yhteisessä tapaamisessa. Kerro "
        "lyhyesti, miten se meni. Vastaaminen vie noin 2 minuuttia, ja vastauksesi on nimetön.",
        "Du var med som stöd för den unga personen i eftervårdens och FPA:s gemensamma möte. "
        "Berätta kort hur det gick. Det tar ungefär 2 minuter och ditt svar är anonymt.",
        "You took part in the joint meeting of aftercare and Kela to support the young person. "
        "Tell us briefly how it went. It takes about 2 minutes and your answer is anonymous.",
    ),
    "questions": [
        (
            "useful",
            L,
            True,
            (
                "Tapaamisesta oli hyötyä nuoren tilanteessa.",
                "Mötet var till nytta i den unga personens situation.",
                "The meeting was useful for the young person's situation.",
            ),
        ),
        (
            "next_steps",
            L,
            True,
            (
                "Sovimme selvästi, mitä seuraavaksi tehdään.",
                "Vi kom tydligt överens om vad som görs härnäst.",
                "We agreed clearly what happens next.",
            ),
        ),
        (
            "listened",
            L,
            True,
            (
                "Minua kuunneltiin.",
                "Jag blev lyssnad på.",
                "I was listened to.",
            ),
        ),
        AGAIN,
        (
            "comment",
            TEXT,
            False,
            (
                "Haluatko sanoa vielä jotain? Älä kirjoita nimiä tai muita henkilötietoja.",
                "Vill du säga något mer? Skriv inte namn eller andra personuppgifter.",
                "Anything else you want to say? Please do not write names or other personal "
                "details.",
            ),
        ),
    ],
}

DEFAULTS = {
    Group.YOUNG_PERSON: YOUTH,
    Group.AFTERCARE: PROFESSIONALS,
    Group.KELA: PROFESSIONALS,
    Group.OTHER: PROFESSIONALS,
    Group.OWN_PEOPLE: OWN_PEOPLE,
}


def _texts(prefix: str, values) -> dict:
    return dict(zip((f"{prefix}_fi", f"{prefix}_sv", f"{prefix}_en"), values, strict=True))


@transaction.atomic
def install(**kwargs) -> int:
    """Create the default survey of every group that has none; returns how many were made."""
    made = 0
    existing = set(Survey.objects.values_list("group", flat=True))
    for group, spec in DEFAULTS.items():
        if group in existing:
            continue
        survey = Survey.objects.create(
            group=group, **_texts("title", spec["title"]), **_texts("intro", spec["intro"])
        )
        for position, (key, kind, required, text, *choices) in enumerate(spec["questions"]):
            question = Question.objects.create(
                survey=survey,
                position=position,
                key=key,
                kind=kind,
                required=required,
                **_texts("text", text),
            )
            Choice.objects.bulk_create(
                Choice(question=question, position=i, **_texts("text", c))
                for i, c in enumerate(choices[0] if choices else ())
            )
        made += 1
    return made
