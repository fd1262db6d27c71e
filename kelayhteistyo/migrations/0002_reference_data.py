"""The fixed lists: the 21 wellbeing services counties and the City of Helsinki, and languages."""

from django.db import migrations

from kelayhteistyo.reference import load


class Migration(migrations.Migration):
    dependencies = [("kelayhteistyo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
