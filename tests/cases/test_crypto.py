"""A database dump shows no denouncer: identities and protected texts are encrypted at rest (reference §5)."""
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from cases import crypto, identity, services
from cases.models import Case, Petitioner
from tests.factories import aware

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PERSON = {"full_name": "Phạm Thị Thu", "id_number": "001190000777", "phone": "0987654321",
          "address": "Số 12, ngõ 5, thôn Đông"}
TEXT = "Tôi, Phạm Thị Thu, tố cáo ông X nhận hối lộ tại thôn Đông."


def raw_rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def dump(case) -> str:
    """What a database dump holds of the case and its people."""
    rows = raw_rows("SELECT * FROM cases_case WHERE id = %s", [case.pk])
    rows += raw_rows("SELECT * FROM cases_petitioner WHERE case_id = %s", [case.pk])
    return repr(rows)


def secrets_in(text: str) -> list[str]:
    return [value for value in (*PERSON.values(), TEXT, "Phạm Thị Thu", "tố cáo ông X") if value in text]


@pytest.fixture
def denunciation(world):
    return services.case_intake(**denunciation_kwargs(world, content=TEXT, petitioners=[PERSON])).case


def test_a_dump_shows_neither_the_denouncer_nor_the_text_and_the_orm_reads_them_back(world, denunciation):
    assert secrets_in(dump(denunciation)) == []
    (content,) = raw_rows("SELECT content FROM cases_case WHERE id = %s", [denunciation.pk])[0]
    assert content.startswith("fernet:")

    fresh = Case.objects.get(pk=denunciation.pk)
    assert fresh.content == TEXT
    assert Case.objects.values_list("content", flat=True).get(pk=denunciation.pk) == TEXT
    person = fresh.petitioners.get()
    assert {name: getattr(person, name) for name in PERSON} == PERSON
    assert fresh.petitioners.values(*PERSON).get() == PERSON
    assert identity.petitioners_for(user=world.head, case=fresh, purpose="x")[0]["id_number"] == PERSON["id_number"]
    assert identity.content_for(user=world.head, case=fresh, purpose="x") == TEXT


def test_every_petitioner_is_encrypted_but_an_unprotected_text_stays_plain(world):
    case = services.case_intake(**complaint_kwargs(world, petitioners=[PERSON], content="Khiếu nại thu hồi đất.")).case
    dumped = dump(case)
    assert [v for v in PERSON.values() if v in dumped] == []
    assert "Khiếu nại thu hồi đất." in dumped


def test_the_text_is_encrypted_once_the_case_becomes_a_denunciation_and_stays_so(world):
    case = services.case_intake(**complaint_kwargs(world, petitioners=[PERSON], content=TEXT)).case
    assert TEXT in dump(case)
    services.case_classify(case=case, actor=world.head, kind="denunciation", accused="Ông X",
                           now=aware(dt.date(2026, 7, 7)))
    assert secrets_in(dump(case)) == []
    services.case_classify(case=case, actor=world.head, kind="feedback", now=aware(dt.date(2026, 7, 8)))
    assert secrets_in(dump(case)) == [] and Case.objects.get(pk=case.pk).content == TEXT


def test_the_verification_copy_removes_the_decrypted_identities_whatever_their_case(world):
    text = "Tôi là PHẠM THỊ THU, CCCD 001190000777, ở Số 12, ngõ 5, thôn Đông; điện thoại 0987654321."
    case = services.case_intake(**denunciation_kwargs(world, content=text, petitioners=[PERSON])).case
    redacted = identity.redacted_content(Case.objects.get(pk=case.pk))
    assert secrets_in(redacted) == [] and "PHẠM THỊ THU" not in redacted
    assert redacted.startswith("Tôi là […], CCCD […]")


def test_rotation(world, settings):
    """Encrypt with key A; keys "B,A" read it; rotate; drop A; it still reads."""
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.IDENTITY_KEYS = [key_a]
    case = services.case_intake(**denunciation_kwargs(world, content=TEXT, petitioners=[PERSON])).case
    before = dump(case)

    settings.IDENTITY_KEYS = [key_b, key_a]
    assert Case.objects.get(pk=case.pk).content == TEXT
    call_command("rotate_identity_keys", "--batch-size", "1", stdout=open(os.devnull, "w"))
    assert dump(case) != before and secrets_in(dump(case)) == []

    settings.IDENTITY_KEYS = [key_b]
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.content == TEXT and fresh.petitioners.values(*PERSON).get() == PERSON

    settings.IDENTITY_KEYS = [key_a]  # the old key alone no longer opens anything
    with pytest.raises(crypto.IdentityKeyError):
        Case.objects.get(pk=case.pk)


def test_rotation_also_encrypts_legacy_plain_text_and_recomputes_the_digests(world, denunciation):
    """What the data migration does to rows written before the encryption (same function)."""
    raw_rows("UPDATE cases_petitioner SET full_name = %s, id_number = %s, phone = %s, address = %s, "
             "id_number_digest = '', phone_digest = '', name_digest = '' WHERE case_id = %s",
             [PERSON["full_name"], PERSON["id_number"], PERSON["phone"], PERSON["address"], denunciation.pk])
    raw_rows("UPDATE cases_case SET content = %s WHERE id = %s", [TEXT, denunciation.pk])
    assert Case.objects.get(pk=denunciation.pk).content == TEXT  # legacy plain text still reads
    call_command("rotate_identity_keys", stdout=open(os.devnull, "w"))
    assert secrets_in(dump(denunciation)) == []
    person = Petitioner.objects.get(case=denunciation)
    assert person.id_number_digest == crypto.digest("id", PERSON["id_number"]) != ""
    assert person.name_digest == crypto.digest("name", "pham thi thu")


def test_the_digests_normalise_and_are_keyed(settings):
    assert crypto.normalise_name("  Đặng   Thị  HOA ") == "dang thi hoa"
    assert crypto.digest("name", "Lê Thị Hoa") == crypto.digest("name", "le thi hoa")
    assert crypto.digest("phone", "+84 912 345 678") == crypto.digest("phone", "0912.345.678")
    assert crypto.digest("id", "001 190 000 777") == crypto.digest("id", "001190000777")
    assert crypto.digest("id", "") == "" and crypto.digest("phone", " - ") == ""
    assert crypto.digest("id", "0912345678") != crypto.digest("phone", "0912345678")
    before = crypto.digest("id", "001190000777")
    settings.IDENTITY_INDEX_KEY = "another-index-key-of-at-least-32-characters"
    assert crypto.digest("id", "001190000777") != before


def test_encrypted_columns_refuse_lookups_that_could_never_match(denunciation):
    for lookup in ("id_number", "full_name__icontains", "phone__startswith", "address__regex"):
        with pytest.raises(FieldError):
            Petitioner.objects.filter(**{lookup: "x"}).exists()
    assert Petitioner.objects.filter(phone__isnull=False).exists()


def test_without_keys_outside_development_nothing_is_encrypted_with_a_derived_key(settings, monkeypatch):
    monkeypatch.delenv("PYTEST_VERSION", raising=False)
    settings.DEBUG, settings.IDENTITY_KEYS, settings.IDENTITY_INDEX_KEY = False, [], ""
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")
    with pytest.raises(ImproperlyConfigured):
        crypto.digest("id", "001190000777")
    settings.DEBUG = True
    assert crypto.decrypt(crypto.encrypt("x")) == "x"


def run_check(tmp_path, **env) -> str:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("PYTEST_VERSION", "DEBUG", "IDENTITY_KEYS", "IDENTITY_INDEX_KEY", "DATABASE_URL")}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path), **env)
    out = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True,
                         timeout=120)
    return out.stdout + out.stderr


def test_the_system_check_refuses_production_without_identity_keys(tmp_path):
    missing = run_check(tmp_path)
    assert "cases.E001" in missing and "cases.E003" in missing
    assert "cases.E00" not in run_check(tmp_path, DEBUG="1")
    keys = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    assert "cases.E00" not in run_check(tmp_path, IDENTITY_KEYS=keys, IDENTITY_INDEX_KEY="k" * 40)
    assert "cases.E002" in run_check(tmp_path, DEBUG="1", IDENTITY_KEYS="not-a-key")


# --- the data migration, on PostgreSQL (here) and SQLite (in a fresh interpreter) ----------

def legacy_migration() -> dict:
    """Rows written in plain text before the encryption, then ``migrate``: what the tables hold afterwards."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    before = [("cases", "0005_intake_submission_and_id_kind")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    unit = apps.get_model("organisation", "Unit").objects.create(code="legacy", name="Xã Cũ", level="commune",
                                                                  path="/legacy/")
    cases = apps.get_model("cases", "Case").objects
    common = dict(channel="mail", received_at=timezone.now(), receiving_unit=unit, pin_hash="x")
    protected = cases.create(kind="denunciation", identity_protected=True, content=TEXT, tracking_code="LEGACY1",
                             **common)
    plain = cases.create(kind="complaint", content="Khiếu nại thu hồi đất.", tracking_code="LEGACY2", **common)
    apps.get_model("cases", "Petitioner").objects.create(case=protected, **PERSON)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM cases_case ORDER BY id")
        contents = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT full_name, id_number, phone, address, id_number_digest FROM cases_petitioner")
        person = cursor.fetchall()
    read = Petitioner.objects.values(*PERSON).get()
    return {"contents": contents, "person": person, "read": read,
            "content": Case.objects.get(pk=protected.pk).content, "plain": Case.objects.get(pk=plain.pk).content,
            "digest_ok": person[0][4] == crypto.digest("id", PERSON["id_number"])}


def assert_converted(result: dict) -> None:
    protected, plain = result["contents"]
    assert protected.startswith("fernet:") and plain == "Khiếu nại thu hồi đất."
    assert secrets_in(repr(result["person"])) == [] and all(v.startswith("fernet:") for v in result["person"][0][:4])
    assert result["read"] == PERSON and result["content"] == TEXT and result["plain"] == plain
    assert result["digest_ok"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_rows_already_stored():
    assert connection.vendor == "postgresql"
    assert_converted(legacy_migration())


def test_the_migration_works_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path))
    script = ("import json, django; django.setup()\n"
              "from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
              "from tests.cases.test_crypto import legacy_migration\n"
              "print(json.dumps(legacy_migration(), default=list))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["person"] = [tuple(row) for row in result["person"]]
    assert_converted(result)
