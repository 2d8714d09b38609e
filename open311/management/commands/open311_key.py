"""``manage.py open311_key create NAME --unit CODE``: make an Open311 API key; the key alone is the last line."""
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from open311.models import Open311ApiKey
from organisation.models import Unit


class Command(BaseCommand):
    help = "Manage Open311 API keys: create NAME prints the new key alone on its last line; deactivate NAME."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "deactivate", "list"])
        parser.add_argument("name", nargs="?")
        parser.add_argument("--unit", help="code of the receiving unit (default: the root unit, if there is one)")

    def handle(self, *args, action, name=None, unit=None, **options):
        if action == "list":
            for key in Open311ApiKey.objects.select_related("unit"):
                state = "active" if key.active else "inactive"
                self.stdout.write(f"{key.name}\t{key.unit.code}\t{key.key_prefix}…\t{state}")
            return
        if not name:
            raise CommandError("NAME is required")
        if action == "deactivate":
            if not Open311ApiKey.objects.filter(name=name).update(active=False):
                raise CommandError(f"no key named {name!r}")
            self.stdout.write(f"deactivated {name}")
            return
        receiving = self._unit(unit)
        row = Open311ApiKey(name=name, unit=receiving)
        key = row.set_new_key()
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise CommandError(f"a key named {name!r} already exists") from None
        self.stdout.write(f"Open311 API key {name!r} for {receiving.name} ({receiving.code}); it is shown only now:")
        self.stdout.write(key)

    def _unit(self, code):
        if code:
            found = Unit.objects.filter(code=code).first()
            if found is None:
                raise CommandError(f"no unit with code {code!r}")
            return found
        roots = list(Unit.objects.filter(parent__isnull=True)[:2])
        if len(roots) != 1:
            raise CommandError("name the receiving unit with --unit CODE")
        return roots[0]
