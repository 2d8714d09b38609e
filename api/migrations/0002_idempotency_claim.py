"""``api_idempotency_claim(caller, key)``: an intake's idempotency lock and look-up in one round trip.

The lock and the look-up must be two statements: the look-up needs a snapshot taken after the lock
was granted, to see the row of a request with the same key that held it. In a PL/pgSQL function each
statement takes its own snapshot, so both run in one call (PostgreSQL only; elsewhere
``api.views._stored_intake`` asks the table).
"""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION api_idempotency_claim(caller bigint, idempotency_key text) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('api-idempotency:' || caller || ':' || idempotency_key, 0));
    RETURN (SELECT id FROM api_idempotentintake WHERE user_id = caller AND "key" = idempotency_key);
END
$$
"""
DROP = "DROP FUNCTION IF EXISTS api_idempotency_claim(bigint, text)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_h10a_idempotent_intake")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
