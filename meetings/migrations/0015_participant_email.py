from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0014_joining_afterwards_invitation_passed"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="e-mail address"),
        ),
    ]
