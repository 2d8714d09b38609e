"""Encrypt the identities already stored and compute their blind indexes (cases.crypto).

Batched and set-based (one SELECT and one UPDATE per thousand rows), on
PostgreSQL and SQLite alike. It needs IDENTITY_KEYS and IDENTITY_INDEX_KEY
when there are rows to convert (in development they derive from SECRET_KEY).
"""
from django.db import migrations


def encrypt_existing(apps, schema_editor):
    from cases import crypto

    crypto.reencrypt_identities(petitioners=apps.get_model("cases", "Petitioner").objects.all(),
                                cases=apps.get_model("cases", "Case").objects.all())


def decrypt_existing(apps, schema_editor):
    from cases import crypto

    crypto.decrypt_identities(petitioners=apps.get_model("cases", "Petitioner").objects.all(),
                              cases=apps.get_model("cases", "Case").objects.all())


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_identity_encryption"),
    ]

    operations = [migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False)]
