"""The fixed lists: the 21 wellbeing services counties and the City of Helsinki, and languages.

Loaded by migration 0002 and again after every `migrate` and `flush` (post_migrate), so that the
lists exist whenever the tables do — also in tests that empty the database between tests.
"""

from django.apps import apps as global_apps

COUNTIES = [
    ("helsinki", "Helsingin kaupunki", "Helsingfors stad", "City of Helsinki"),
    (
        "ita-uusimaa",
        "Itä-Uudenmaan hyvinvointialue",
        "Östra Nylands välfärdsområde",
        "Eastern Uusimaa",
    ),
    (
        "keski-uusimaa",
        "Keski-Uudenmaan hyvinvointialue",
        "Mellersta Nylands välfärdsområde",
        "Central Uusimaa",
    ),
    (
        "lansi-uusimaa",
        "Länsi-Uudenmaan hyvinvointialue",
        "Västra Nylands välfärdsområde",
        "Western Uusimaa",
    ),
    (
        "vantaa-kerava",
        "Vantaan ja Keravan hyvinvointialue",
        "Vanda och Kervo välfärdsområde",
        "Vantaa and Kerava",
    ),
    (
        "varsinais-suomi",
        "Varsinais-Suomen hyvinvointialue",
        "Egentliga Finlands välfärdsområde",
        "Southwest Finland",
    ),
    ("satakunta", "Satakunnan hyvinvointialue", "Satakunta välfärdsområde", "Satakunta"),
    (
        "kanta-hame",
        "Kanta-Hämeen hyvinvointialue",
        "Egentliga Tavastlands välfärdsområde",
        "Kanta-Häme",
    ),
    ("pirkanmaa", "Pirkanmaan hyvinvointialue", "Birkalands välfärdsområde", "Pirkanmaa"),
    (
        "paijat-hame",
        "Päijät-Hämeen hyvinvointialue",
        "Päijänne-Tavastlands välfärdsområde",
        "Päijät-Häme",
    ),
    ("kymenlaakso", "Kymenlaakson hyvinvointialue", "Kymmenedalens välfärdsområde", "Kymenlaakso"),
    (
        "etela-karjala",
        "Etelä-Karjalan hyvinvointialue",
        "Södra Karelens välfärdsområde",
        "South Karelia",
    ),
    ("etela-savo", "Etelä-Savon hyvinvointialue", "Södra Savolax välfärdsområde", "South Savo"),
    ("pohjois-savo", "Pohjois-Savon hyvinvointialue", "Norra Savolax välfärdsområde", "North Savo"),
    (
        "pohjois-karjala",
        "Pohjois-Karjalan hyvinvointialue",
        "Norra Karelens välfärdsområde",
        "North Karelia",
    ),
    (
        "keski-suomi",
        "Keski-Suomen hyvinvointialue",
        "Mellersta Finlands välfärdsområde",
        "Central Finland",
    ),
    (
        "etela-pohjanmaa",
        "Etelä-Pohjanmaan hyvinvointialue",
        "Södra Österbottens välfärdsområde",
        "South Ostrobothnia",
    ),
    ("pohjanmaa", "Pohjanmaan hyvinvointialue", "Österbottens välfärdsområde", "Ostrobothnia"),
    (
        "keski-pohjanmaa",
        "Keski-Pohjanmaan hyvinvointialue",
        "Mellersta Österbottens välfärdsområde",
        "Central Ostrobothnia",
    ),
    (
        "pohjois-pohjanmaa",
        "Pohjois-Pohjanmaan hyvinvointialue",
        "Norra Österbottens välfärdsområde",
        "North Ostrobothnia",
    ),
    ("kainuu", "Kainuun hyvinvointialue", "Kajanalands välfärdsområde", "Kainuu"),
    ("lappi", "Lapin hyvinvointialue", "Lapplands välfärdsområde", "Lapland"),
]

# Languages of the young people the pilot met, and of Kela's services (ISO 639 codes).
LANGUAGES = [
    ("fi", "suomi", "finska", "Finnish"),
    ("sv", "ruotsi", "svenska", "Swedish"),
    ("en", "englanti", "engelska", "English"),
    ("ar", "arabia", "arabiska", "Arabic"),
    ("prs", "dari", "dari", "Dari"),
    ("fa", "persia", "persiska", "Persian"),
    ("ti", "tigrinja", "tigrinja", "Tigrinya"),
    ("so", "somali", "somaliska", "Somali"),
    ("ku", "kurdi", "kurdiska", "Kurdish"),
    ("ps", "pašto", "pashto", "Pashto"),
    ("ru", "venäjä", "ryska", "Russian"),
    ("uk", "ukraina", "ukrainska", "Ukrainian"),
    ("et", "viro", "estniska", "Estonian"),
    ("se", "saame", "samiska", "Sámi"),
]


def load(apps=global_apps, schema_editor=None, **kwargs):
    """A RunPython function and a post_migrate receiver (flush sends no `apps`)."""
    for model, rows in (("County", COUNTIES), ("Language", LANGUAGES)):
        Model = apps.get_model("kelayhteistyo", model)
        for code, fi, sv, en in rows:
            Model.objects.update_or_create(
                code=code, defaults={"name_fi": fi, "name_sv": sv, "name_en": en}
            )
