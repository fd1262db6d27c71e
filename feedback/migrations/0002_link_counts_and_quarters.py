"""Issue 15 (findings 4 and 5), step 1 of 3: the columns and the table the data moves into.

Links sent are counted by reporting cell (LinkCount), responses get the quarter of their
reporting cell, and answers get random ids instead of ids in the order they came in."""

import django.db.models.deletion
from django.db import migrations, models

import feedback.models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("kelayhteistyo", "0007_delete_dashboardsnapshot"),
    ]

    operations = [
        migrations.CreateModel(
            name="LinkCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("quarter", models.DateField(verbose_name="quarter")),
                (
                    "group",
                    models.CharField(
                        choices=[
                            ("young_person", "Young people"),
                            ("aftercare", "Aftercare professionals"),
                            ("kela", "Kela professionals"),
                            ("other", "Other professionals"),
                        ],
                        max_length=20,
                        verbose_name="respondent group",
                    ),
                ),
                ("n", models.PositiveIntegerField(default=0, verbose_name="links sent")),
                (
                    "county",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="kelayhteistyo.county",
                    ),
                ),
            ],
            options={"verbose_name": "links sent", "verbose_name_plural": "links sent"},
        ),
        migrations.AddConstraint(
            model_name="linkcount",
            constraint=models.UniqueConstraint(
                fields=("county", "quarter", "group"), name="link_count_once"
            ),
        ),
        migrations.AddField(
            model_name="response",
            name="quarter",
            field=models.DateField(null=True, verbose_name="quarter"),
        ),
        migrations.AlterField(
            model_name="answer",
            name="id",
            field=models.BigIntegerField(
                default=feedback.models.random_id,
                editable=False,
                primary_key=True,
                serialize=False,
            ),
        ),
    ]
