"""Seed the templates added since 0004 (the head's reminder to the handler); edited rows stay."""
import importlib

from django.db import migrations

_seed = importlib.import_module("notifications.migrations.0004_h8a_seed_message_templates").seed


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_h8a_seed_message_templates")]
    operations = [migrations.RunPython(_seed, migrations.RunPython.noop)]
