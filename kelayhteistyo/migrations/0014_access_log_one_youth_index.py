"""The access log keeps one index by young person, (youth, at): the foreign key's own index on
the young person alone served nothing the other does not, and cost every page's log insert a
random index page a row (issue 20). Only the index is dropped: Django's AlterField would also
drop and re-add the foreign key, checking 20 million rows while the log's inserts wait."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "kelayhteistyo_accesslog_youth_id_e3900a12"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_own_light_door"),
        ("kelayhteistyo", "0013_cooperation_requests"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accesslog",
                    name="youth",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="access_log",
                        to="cases.youthclient",
                        verbose_name="whose data",
                    ),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {INDEX}",
                    f"CREATE INDEX {INDEX} ON kelayhteistyo_accesslog (youth_id)",
                )
            ],
        )
    ]
