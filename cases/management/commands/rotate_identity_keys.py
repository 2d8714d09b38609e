"""``manage.py rotate_identity_keys [--batch-size N]``: re-encrypt every stored identity with the first key.

Key rotation: set ``IDENTITY_KEYS=new,old``, run this, then drop ``old``.
It also recomputes the blind indexes under the current ``IDENTITY_INDEX_KEY``
(so changing that key takes effect) and encrypts any legacy plain text.
Set-based in batches (one SELECT and one UPDATE per batch); safe to re-run.
"""
import json

from django.core.management.base import BaseCommand, CommandError

from cases import crypto
from cases.models import Case, Petitioner


class Command(BaseCommand):
    help = "Re-encrypt petitioners' identities and protected case texts with the first of IDENTITY_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="rows per SELECT/UPDATE (default 1000)")

    def handle(self, *args, batch_size=1000, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            counts = crypto.reencrypt_identities(petitioners=Petitioner.objects.all(), cases=Case.objects.all(),
                                                 batch_size=batch_size)
        except crypto.IdentityKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(counts))
