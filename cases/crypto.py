"""Identities encrypted at rest, and the blind indexes that still let intake match them (reference §5).

A database dump must not show a denouncer. Petitioners' identity fields, and
the text of an identity-protected case, are stored as Fernet tokens
(AES-128-CBC with an HMAC) under ``settings.IDENTITY_KEYS``: the first key
encrypts, every key decrypts (``MultiFernet``). To rotate: put a new key
first, run ``manage.py rotate_identity_keys``, then drop the old key.
Stored tokens carry the ``fernet:`` prefix; a value without it is legacy
plain text and is read as it is (the migration and the rotation encrypt it).

Encrypted columns cannot be searched, so the look-ups intake needs (the
same ID number, phone or name) go through blind indexes: HMAC-SHA256
digests of normalised values under ``settings.IDENTITY_INDEX_KEY``.

Without keys, development (``DEBUG``) and the tests derive both from
``SECRET_KEY``; anywhere else that is refused (here at run time, and by the
system check in ``cases.checks``).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import sys
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


class IdentityKeyError(RuntimeError):
    """A stored token that none of the configured keys opens: the keys are wrong, not the data."""


# --- keys -------------------------------------------------------------------------------

def development_key(purpose: str) -> str:
    """A key derived from ``SECRET_KEY``, for development and tests only."""
    digest = hashlib.sha256(f"petitions:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def development_keys_allowed() -> bool:
    """Derived keys are fine while developing (``DEBUG``) or testing, never in production."""
    return bool(settings.DEBUG) or "PYTEST_VERSION" in os.environ or sys.argv[1:2] == ["test"]


def split_keys(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(key.strip() for key in value or () if key and key.strip())


def identity_keys() -> tuple[str, ...]:
    keys = split_keys(getattr(settings, "IDENTITY_KEYS", ()))
    if keys:
        return keys
    if development_keys_allowed():
        return (development_key("identity"),)
    raise ImproperlyConfigured("IDENTITY_KEYS is not set: denouncers' identities cannot be encrypted.")


def index_key() -> bytes:
    key = (getattr(settings, "IDENTITY_INDEX_KEY", "") or "").strip()
    if key:
        return key.encode()
    if development_keys_allowed():
        return development_key("identity-index").encode()
    raise ImproperlyConfigured("IDENTITY_INDEX_KEY is not set: identities cannot be matched.")


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


# --- values -----------------------------------------------------------------------------

def is_encrypted(stored) -> bool:
    return isinstance(stored, str) and stored.startswith(PREFIX)


def encrypt(text: str) -> str:
    return PREFIX + _fernet(identity_keys()).encrypt(text.encode()).decode()


def decrypt(stored):
    """The plain text of a stored value (legacy plain text and empty values pass through)."""
    if not is_encrypted(stored):
        return stored
    try:
        return _fernet(identity_keys()).decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise IdentityKeyError("none of IDENTITY_KEYS opens a stored identity: check the keys") from None


def rotate(stored):
    """The value under the first key: a token is re-encrypted, legacy plain text encrypted."""
    if not stored:
        return stored
    if not is_encrypted(stored):
        return encrypt(stored)
    try:
        return PREFIX + _fernet(identity_keys()).rotate(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise IdentityKeyError("none of IDENTITY_KEYS opens a stored identity: check the keys") from None


# --- blind indexes ----------------------------------------------------------------------

def normalise_name(value: str) -> str:
    """Lower case, Vietnamese diacritics removed (đ → d), spaces collapsed: "Lê  Thị Hoa" → "le thi hoa"."""
    text = unicodedata.normalize("NFD", value or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.casefold().split())


def normalise_id_number(value: str) -> str:
    """Spaces, dots and dashes dropped, upper case (passport numbers carry letters)."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def normalise_phone(value: str) -> str:
    """Digits only, the +84 country code written as the domestic 0."""
    raw = (value or "").strip()
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("84") and (raw.startswith("+") or len(digits) == 11):
        digits = "0" + digits[2:]
    return digits


NORMALISERS = {"id": normalise_id_number, "phone": normalise_phone, "name": normalise_name}


def digest(kind: str, value: str) -> str:
    """The blind index of one value (empty for an empty value, so blanks never match each other)."""
    normalised = NORMALISERS[kind](value)
    if not normalised:
        return ""
    return hmac.new(index_key(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


# --- model fields -----------------------------------------------------------------------

class EncryptedMixin:
    """Stored encrypted, read decrypted: ``.values()`` and every ORM read stay transparent.

    Without ``encrypt_when`` every non-empty value is encrypted, and no look-up
    other than ``isnull`` is offered (it could never match; use the digests).
    With ``encrypt_when="identity_protected"`` the value is encrypted only when
    that attribute of the instance is true (decided in ``pre_save``), and
    plain text stays plain and searchable.
    """

    def __init__(self, *args, encrypt_when: str | None = None, **kwargs):
        self.encrypt_when = encrypt_when
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.encrypt_when:
            kwargs["encrypt_when"] = self.encrypt_when
        return name, path, args, kwargs

    def get_internal_type(self):
        return "TextField"  # a token is longer than the text it hides

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if self.encrypt_when is None and value:
            return encrypt(value)
        return value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if self.encrypt_when is not None and value and (
            getattr(model_instance, self.encrypt_when, False) or is_encrypted(value)  # a text that looks like a token
        ):
            return encrypt(value)
        return value

    def get_lookup(self, lookup_name):
        if self.encrypt_when is None and lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        if self.encrypt_when is None:
            return None
        return super().get_transform(lookup_name)


class EncryptedCharField(EncryptedMixin, models.CharField):
    """``max_length`` bounds the plain text; the column is ``text``."""


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


def raw(name: str):
    """The stored value of an encrypted column, not decrypted (for rotation and migrations)."""
    return models.ExpressionWrapper(models.F(name), output_field=models.TextField())


def rewrite_in_batches(queryset, *, columns: tuple[str, ...], transform, batch_size: int = 1000) -> int:
    """Rewrite stored values set-based: per batch one SELECT of the raw columns and one UPDATE.

    ``transform(row)`` gets ``{"pk": …, column: stored value, …}`` and returns the
    new stored values ``{column: value}`` (written as they are, not encrypted again).
    """
    from django.db import transaction

    last, written = 0, 0
    annotations = {f"_raw_{name}": raw(name) for name in columns}
    while True:
        rows = list(
            queryset.filter(pk__gt=last).order_by("pk").annotate(**annotations)
            .values("pk", *annotations)[:batch_size]
        )
        if not rows:
            return written
        changes = {row["pk"]: transform({"pk": row["pk"], **{n: row[f"_raw_{n}"] for n in columns}}) for row in rows}
        targets = sorted({name for values in changes.values() for name in values})
        if targets:
            updates = {
                name: models.Case(
                    *(models.When(pk=pk, then=models.Value(values[name], output_field=models.TextField()))
                      for pk, values in changes.items() if name in values),
                    default=raw(name),
                )
                for name in targets
            }
            with transaction.atomic():
                written += queryset.model._base_manager.filter(pk__in=list(changes)).update(**updates)
        last = rows[-1]["pk"]


# --- whole tables (the data migration and ``manage.py rotate_identity_keys``) --------------

PETITIONER_FIELDS = ("full_name", "id_number", "phone", "address")
# The blind index of each identity field: (digest column, source column, normaliser).
DIGESTS = (("id_number_digest", "id_number", "id"), ("phone_digest", "phone", "phone"), ("name_digest", "full_name", "name"))


def reencrypt_identities(*, petitioners, cases, batch_size: int = 1000) -> dict[str, int]:
    """Every identity under the first key, and every digest under the current index key.

    ``petitioners`` and ``cases`` are querysets (historical models in a migration):
    petitioners' fields are encrypted (or re-encrypted), the texts of protected
    cases likewise; legacy plain text is encrypted on the way.
    """
    def petitioner(row):
        changed = {name: rotate(row[name]) for name in PETITIONER_FIELDS if row[name]}
        for target, source, kind in DIGESTS:
            changed[target] = digest(kind, decrypt(row[source]))
        return changed

    def case(row):
        return {"content": rotate(row["content"])} if row["content"] else {}

    protected = cases.filter(models.Q(identity_protected=True) | models.Q(content__startswith=PREFIX))
    return {
        "petitioners": rewrite_in_batches(petitioners, columns=PETITIONER_FIELDS, transform=petitioner,
                                          batch_size=batch_size),
        "cases": rewrite_in_batches(protected, columns=("content",), transform=case, batch_size=batch_size),
    }


def decrypt_identities(*, petitioners, cases, batch_size: int = 1000) -> None:
    """Back to plain text (only for reversing the migration that introduced the encryption)."""
    def plain(columns):
        return lambda row: {name: decrypt(row[name]) for name in columns if is_encrypted(row[name])}

    rewrite_in_batches(petitioners, columns=PETITIONER_FIELDS, transform=plain(PETITIONER_FIELDS), batch_size=batch_size)
    rewrite_in_batches(cases.filter(content__startswith=PREFIX), columns=("content",), transform=plain(("content",)),
                       batch_size=batch_size)
