"""Seed the message templates (vi, en) from ``notifications.defaults``; rows an admin already edited stay."""
from django.db import migrations


def seed(apps, schema_editor):
    from notifications.defaults import TEMPLATES

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, languages in TEMPLATES.items():
        for language, (subject, body, sms) in languages.items():
            MessageTemplate.objects.get_or_create(key=key, language=language,
                                                  defaults={"subject": subject, "body": body, "sms": sms})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_h8a_outbox")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
