"""The API's shapes. Reading a case: ``CaseSerializer`` (identity views passed in the context);
logging one: ``IntakeSerializer``, whose data goes to ``cases.services.case_intake`` unchanged."""
import copy
import datetime as dt
import functools
from collections.abc import Mapping

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Case, CaseEvent, Channel, IdKind, Status, Topic
from cases.services import act_label
from config.db import prepared_cursor
from deadlines.models import CaseKind, Complexity
from organisation.models import Unit

SLA_STATES = ("on_track", "due_soon", "overdue")
FLAGS = {  # API name -> case column
    "backlogged": "is_backlogged",
    "prolonged": "is_prolonged",
    "over_level": "is_over_level",
    "mass": "is_mass",
    "duplicate": "is_duplicate",
}
# (API name, case column): the due dates a case stores; their rule and source come from Case.deadline_basis.
DEADLINE_COLUMNS = (
    ("acceptance", "acceptance_due", "acceptance_sla"),
    ("resolution", "resolution_due", "resolution_sla"),
    ("notice", "notice_due", "notice_sla"),
    ("appeal", "appeal_due", None),
    ("final", "final_on", None),
)
# Years a date or time the API takes may fall in: outside them the arithmetic overflows.
YEARS = range(1900, 2200)


class BuiltOnce:
    """DRF builds a serializer's fields anew for every instance (deep copies of the declared ones and, for a
    model serializer, each model field mapped again): milliseconds per request for shapes that never change
    at run time. They are built once per class; each instance binds shallow copies of them (nested
    serializers are deep-copied as DRF does, so none of them is shared between instances)."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built
        return {name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else _clone(field)
                for name, field in built.items()}


def _clone(field):
    """A shallow copy of an unbound field (``copy.copy`` goes through the pickle protocol: several times slower)."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with its offset (a naive time is refused), within sane years."""

    def to_internal_value(self, value):
        parsed = value if isinstance(value, dt.datetime) else None
        if parsed is None:
            try:
                parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
            except (TypeError, ValueError):
                self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM]")
        if timezone.is_naive(parsed):
            raise serializers.ValidationError(_("Give the time with its offset, e.g. 2026-07-06T09:00:00+07:00."))
        if parsed.year not in YEARS:
            raise serializers.ValidationError(_("The year is out of range."))
        try:
            parsed.astimezone(dt.timezone.utc)
        except OverflowError:
            raise serializers.ValidationError(_("The year is out of range.")) from None
        return parsed


class BoundedDateField(serializers.DateField):
    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if day.year not in YEARS:
            raise serializers.ValidationError(_("The year is out of range."))
        return day


class UnitRefSerializer(BuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ("id", "code", "name")


class UnitSerializer(BuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ("id", "code", "name", "level", "parent", "is_remote", "valid_from", "valid_to")


class FieldSerializer(BuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ("id", "code", "name", "parent")


class DeadlineSerializer(BuiltOnce, serializers.Serializer):
    name = serializers.CharField()
    due = serializers.DateField()
    rule = serializers.CharField()
    legal_basis = serializers.CharField()
    state = serializers.ChoiceField(choices=SLA_STATES, allow_null=True)


class PetitionerSerializer(BuiltOnce, serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    id_number = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    is_representative = serializers.BooleanField()
    withdrawn_on = serializers.DateField(allow_null=True)


class EventSerializer(BuiltOnce, serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CaseEvent
        fields = ("id", "at", "action", "label", "actor", "from_status", "to_status", "legal_basis")

    def get_label(self, event) -> str:
        return act_label(event.action, event.case.kind if "case" in event._state.fields_cache else None)


def sla_state(value: str):
    return value if value in SLA_STATES else None


def deadlines_of(case: Case) -> list[dict]:
    basis = {}
    for entry in case.deadline_basis or ():
        if isinstance(entry, dict) and entry.get("rule"):
            basis.setdefault(entry.get("deadline"), entry)
    rows = []
    for name, column, state_column in DEADLINE_COLUMNS:
        due = getattr(case, column)
        if due is None:
            continue
        entry = basis.get(name) or {}
        if name == "acceptance" and (basis.get("forward") or {}).get("rule"):
            entry = basis["forward"]  # outside competence: the forwarding clock (T2)
        rows.append({"name": name, "due": due, "rule": str(entry.get("rule", "")),
                     "legal_basis": str(entry.get("source", "")),
                     "state": sla_state(getattr(case, state_column)) if state_column else None})
    return rows


_DATETIME = serializers.DateTimeField()  # the API's datetime format and time zone, as the declared fields use them


def _choice(value):
    """``ChoiceField.to_representation``: the stored value as a plain string."""
    return value if value in ("", None) else str(value)


def _day(value):
    """``DateField.to_representation``."""
    if not value:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _unit_ref(unit) -> dict | None:
    return None if unit is None else {"id": unit.pk, "code": unit.code, "name": unit.name}


def _field_ref(topic) -> dict | None:
    return None if topic is None else {"id": topic.pk, "code": topic.code, "name": topic.name,
                                       "parent": topic.parent_id}


class CaseSerializer(BuiltOnce, serializers.ModelSerializer):
    """A case as the API reads it; ``context["identity"]`` holds ``api.people.identity_views``."""

    remote_area = serializers.BooleanField(source="is_remote")
    status_label = serializers.CharField()
    sla_state = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    receiving_unit = UnitRefSerializer()
    competent_unit = UnitRefSerializer(allow_null=True)
    field = FieldSerializer(source="topic", allow_null=True)
    content = serializers.SerializerMethodField()
    petitioners = serializers.SerializerMethodField()
    identity_visible = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = (
            "id", "tracking_code", "kind", "round", "complexity", "remote_area", "channel", "received_at",
            "status", "status_label", "sla_state", "flags", "deadlines", "receiving_unit", "competent_unit",
            "field", "content", "petitioners", "identity_visible", "accepted_on", "decided_on", "closed_on",
            "version",
        )

    def _identity(self, case):
        return self.context["identity"][case.pk]

    def to_representation(self, case):
        """DRF's field-by-field walk written out: every intake answers with it and a list page builds fifty,
        and the walk (each field's attribute look-up, the nested unit and field serializers) cost more than
        the intake's own checks. The declared fields above stay the contract the schema shows; a test holds
        this body equal to DRF's own for cases of every shape."""
        identity = self._identity(case)
        body = {
            "id": case.pk,
            "tracking_code": case.tracking_code,
            "kind": _choice(case.kind),
            "round": case.round,
            "complexity": _choice(case.complexity),
            "remote_area": bool(case.is_remote),
            "channel": _choice(case.channel),
            "received_at": _DATETIME.to_representation(case.received_at) if case.received_at else None,
            "status": _choice(case.status),
            "status_label": str(case.status_label),
            "sla_state": sla_state(case.sla_state),
            "flags": self.get_flags(case),
            "deadlines": [{"name": row["name"], "due": _day(row["due"]), "rule": row["rule"],
                           "legal_basis": row["legal_basis"], "state": row["state"]} for row in deadlines_of(case)],
            "receiving_unit": _unit_ref(case.receiving_unit),
            "competent_unit": _unit_ref(case.competent_unit),
            "field": _field_ref(case.topic),
            "content": identity["content"],
            "petitioners": identity["petitioners"],
            "identity_visible": identity["identity_visible"],
        }
        for name in ("accepted_on", "decided_on", "closed_on"):
            body[name] = _day(getattr(case, name))
        body["version"] = case.version
        return body

    @extend_schema_field(serializers.ChoiceField(choices=SLA_STATES, allow_null=True))
    def get_sla_state(self, case):
        return sla_state(case.sla_state)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=tuple(FLAGS))))
    def get_flags(self, case) -> list[str]:
        return [name for name, column in FLAGS.items() if getattr(case, column)]

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, case):
        return DeadlineSerializer(deadlines_of(case), many=True).data

    def get_content(self, case) -> str:
        return self._identity(case)["content"]

    @extend_schema_field(PetitionerSerializer(many=True))
    def get_petitioners(self, case):
        return self._identity(case)["petitioners"]

    def get_identity_visible(self, case) -> bool:
        return self._identity(case)["identity_visible"]


class CaseDetailSerializer(CaseSerializer):
    events = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = (*CaseSerializer.Meta.fields, "events")

    def to_representation(self, case):
        return {**super().to_representation(case), "events": self.get_events(case)}

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, case):
        events = case.events.select_related("actor", "case").order_by("at", "pk")
        return EventSerializer(events, many=True).data


class PetitionerInputSerializer(BuiltOnce, serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    id_kind = serializers.ChoiceField(choices=IdKind.choices, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    is_representative = serializers.BooleanField(required=False, default=False)
    has_signed = serializers.BooleanField(required=False, default=True)


def _unit_id(value) -> int | None:
    """A unit id as a client sends it (a number or its digits), within PostgreSQL's bigint; else None."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if type(value) is int and 0 < value < 2**63 else None


def _units_by_id(ids) -> dict[int, Unit]:
    """``Unit.objects.in_bulk(ids)`` in plain SQL on PostgreSQL (the same instances, all columns loaded): every
    intake reads its units, and the ORM's building of the query cost more than running it."""
    if connection.vendor != "postgresql":
        return Unit.objects.order_by().in_bulk(ids)
    sql, names, key = _units_sql()
    alias = connection.alias
    with prepared_cursor() as cursor:
        cursor.execute(sql, [sorted(ids)])
        return {row[key]: Unit.from_db(alias, names, row) for row in cursor.fetchall()}


@functools.cache
def _units_sql() -> tuple[str, list[str], int]:
    """The look-up's SQL, the attribute names of its columns and the primary key's place among them."""
    fields = Unit._meta.concrete_fields
    names = [field.attname for field in fields]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = (f"SELECT {columns} FROM {connection.ops.quote_name(Unit._meta.db_table)} WHERE "
           f"{connection.ops.quote_name(Unit._meta.pk.column)} = ANY(%s)")
    return sql, names, names.index(Unit._meta.pk.attname)


class UnitField(serializers.PrimaryKeyRelatedField):
    """A unit by its id, found among those ``IntakeSerializer`` read at once (else read as DRF does)."""

    def to_internal_value(self, data):
        unit = getattr(self.parent, "_units", {}).get(_unit_id(data))
        return unit if unit is not None else super().to_internal_value(data)


class IntakeSerializer(BuiltOnce, serializers.Serializer):
    """A petition as a portal, hotline or office hands it over; the intake service checks the law."""

    kind = serializers.ChoiceField(choices=CaseKind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.WEB)
    received_at = AwareDateTimeField(required=False, help_text=_("Default: now. May be past, never future."))
    receiving_unit = UnitField(queryset=Unit.objects.all())
    competent_unit = UnitField(queryset=Unit.objects.all(), required=False, allow_null=True)
    field = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.all(), required=False, allow_null=True)
    content = serializers.CharField(max_length=100_000)
    petitioners = PetitionerInputSerializer(many=True, required=False, max_length=200, default=list)
    respondent_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    respondent_date = BoundedDateField(required=False, allow_null=True, default=None)
    respondent_issuer = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    respondent_act = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    accused = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    knew_on = BoundedDateField(required=False, allow_null=True, default=None)
    complexity = serializers.ChoiceField(choices=Complexity.choices, required=False, default=Complexity.SIMPLE)
    complexity_grounds = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    is_signed = serializers.BooleanField(required=False, default=True)
    is_anonymous = serializers.BooleanField(required=False, default=False)
    is_multi_site = serializers.BooleanField(required=False, default=False)

    def to_internal_value(self, data):
        # the receiving and the competent unit in one query (usually one unit, once)
        ids = {_unit_id(data.get(name)) for name in ("receiving_unit", "competent_unit")} if isinstance(
            data, Mapping) else set()
        ids.discard(None)
        self._units = _units_by_id(ids) if ids else {}
        return super().to_internal_value(data)

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        data["topic"] = data.pop("field", None)
        data["petitioners"] = [dict(p) for p in data.get("petitioners") or ()]
        return data


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ActionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField(allow_null=True)


class TaskSerializer(BuiltOnce, serializers.Serializer):
    id = serializers.IntegerField()
    process = serializers.IntegerField()
    case = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    owner = serializers.CharField(allow_null=True)
    created = serializers.DateTimeField()


class CalendarDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    is_working_day = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)


class DeadlineAnswerSerializer(serializers.Serializer):
    kind = serializers.CharField()
    received = serializers.DateField()
    deadlines = serializers.ListField(child=serializers.DictField())


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


STATUS_CHOICES = Status.choices
