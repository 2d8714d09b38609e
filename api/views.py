"""The REST API (``/api/v1/``): every query is scoped by ``access.policy``, every act goes through
``cases.services`` (see ``api.acts``); errors are JSON (``api.errors``)."""
import datetime as dt
import hashlib
import json

import django_filters
from django.contrib.auth import authenticate
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, filters, generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from access import policy
from cases import services
from cases.case_page import task_title
from cases.errors import Conflict
from cases.identity import log_refused_look
from cases.models import Case, Status, Topic
from config.db import insert_columns, mark_saved, prepared_cursor
from deadlines import clock
from deadlines.calendar import is_working_day
from deadlines.engine import DeadlineInput, compute_deadlines
from deadlines.models import CalendarOverride, CaseKind, Complexity
from organisation.models import Unit

from . import acts
from . import serializers as api_serializers
from .models import IdempotentIntake
from .people import identity_views

ERRORS = {code: OpenApiResponse(api_serializers.ErrorSerializer) for code in (400, 403, 404, 409)}


# --- auth -----------------------------------------------------------------------------

class TokenView(APIView):
    """Username and password for a token (``Authorization: Token …``); django-axes locks out
    repeated failures here as on the login page, and anonymous callers are rate-limited."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (AnonRateThrottle,)

    @extend_schema(request=api_serializers.TokenRequestSerializer,
                   responses={200: api_serializers.TokenSerializer, 400: ERRORS[400], 429: ERRORS[400]},
                   auth=[])
    def post(self, request):
        serializer = api_serializers.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request._request, **serializer.validated_data)
        if user is None or not user.is_active:
            raise exceptions.ValidationError({"detail": _("Wrong username or password.")})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# --- cases ----------------------------------------------------------------------------

class CaseCursor(CursorPagination):
    ordering = ("-received_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _midnight(day: dt.date) -> dt.datetime:
    return clock.legal_midnight(day)


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    kind = django_filters.MultipleChoiceFilter(choices=CaseKind.choices)
    sla_state = django_filters.MultipleChoiceFilter(choices=[(s, s) for s in api_serializers.SLA_STATES])
    flag = django_filters.MultipleChoiceFilter(choices=[(f, f) for f in api_serializers.FLAGS], method="filter_flag")
    unit = django_filters.NumberFilter(method="filter_unit", label="unit (with its sub-units)")
    received_from = django_filters.DateFilter(method="filter_received_from")
    received_to = django_filters.DateFilter(method="filter_received_to")
    due_from = django_filters.DateFilter(field_name="next_due", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="next_due", lookup_expr="lte")

    class Meta:
        model = Case
        fields = ()

    def filter_flag(self, queryset, name, value):
        for flag in value:
            queryset = queryset.filter(**{api_serializers.FLAGS[flag]: True})
        return queryset

    def filter_unit(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).values_list("path", flat=True).first() if abs(value) < 2**62 else None
        if unit is None:
            return queryset.none()
        return queryset.filter(Q(receiving_unit__path__startswith=unit) | Q(competent_unit__path__startswith=unit))

    def _bounded(self, value):
        if value.year not in api_serializers.YEARS:
            raise exceptions.ValidationError({"detail": _("The year is out of range.")})
        return value

    def filter_received_from(self, queryset, name, value):
        return queryset.filter(received_at__gte=_midnight(self._bounded(value)))

    def filter_received_to(self, queryset, name, value):
        return queryset.filter(received_at__lt=_midnight(self._bounded(value) + dt.timedelta(days=1)))


def scoped_cases(user):
    return (Case.objects.filter(policy.case_q(user))
            .select_related("receiving_unit", "competent_unit", "topic")
            .prefetch_related("petitioners"))


def case_or_404(user, pk) -> Case:
    """The case if the user's scope holds it; otherwise a 404, the refused look at a protected case logged."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise exceptions.NotFound() from None
    case = Case.objects.select_related("receiving_unit", "competent_unit", "topic").filter(pk=pk).first()
    if case is None or not policy.may_view_case(user, case):
        if case is not None:
            log_refused_look(user=user, case=case, purpose="refused:api")
        raise exceptions.NotFound()
    return case


def case_body(user, case: Case, *, detail: bool, purpose: str) -> dict:
    fresh = Case.objects.prefetch_related("petitioners").select_related(
        "receiving_unit", "competent_unit", "topic").get(pk=case.pk)
    serializer_class = api_serializers.CaseDetailSerializer if detail else api_serializers.CaseSerializer
    return serializer_class(fresh, context={"identity": identity_views(user, [fresh], purpose=purpose)}).data


def body_hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="At most one case per key and caller: a retry returns the same case and status code; the same "
                "key with another body answers 422.")


def _stored_intake(user, key: str) -> IdempotentIntake | None:
    """The intake this caller's key made already, if any (inside the intake's transaction).

    On PostgreSQL concurrent copies of one key wait here for the first, then replay its case instead of
    doing an intake only to roll it back; the unique constraint stays the last word. The lock and the
    look-up of the id are one call (``api_idempotency_claim``, migration 0002); most keys are new, so the
    row is read only for a replay.
    """
    if connection.vendor != "postgresql":
        return IdempotentIntake.objects.filter(user=user, key=key).first()
    with prepared_cursor() as cursor:
        cursor.execute("SELECT api_idempotency_claim(%s, %s)", [user.pk, key])
        found = cursor.fetchone()[0]
    return IdempotentIntake.objects.get(pk=found) if found is not None else None


def _keep_intake(row: IdempotentIntake) -> None:
    """``row.save()``, as one prepared INSERT on PostgreSQL (every intake with a key writes one)."""
    if connection.vendor != "postgresql":
        row.save(force_insert=True)
        return
    columns = insert_columns(IdempotentIntake)
    with prepared_cursor() as cursor:
        cursor.execute(f"INSERT INTO {columns.table} ({columns.names}) VALUES {columns.marks} RETURNING id",
                       columns.values(row))
        mark_saved(row, cursor.fetchone()[0])


class _AlreadyDone(Exception):
    def __init__(self, stored):
        super().__init__()
        self.stored = stored


class CaseListView(generics.GenericAPIView):
    serializer_class = api_serializers.CaseSerializer
    pagination_class = CaseCursor
    filterset_class = CaseFilter
    filter_backends = (django_filters.rest_framework.DjangoFilterBackend, filters.SearchFilter)
    search_fields = ("=tracking_code", "respondent_number")

    def get_queryset(self):
        return scoped_cases(self.request.user).annotate(next_due=Coalesce(F("resolution_due"), F("acceptance_due")))

    @extend_schema(responses={200: api_serializers.CaseSerializer(many=True), 400: ERRORS[400]})
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        views = identity_views(request.user, page, purpose="api:list")
        data = api_serializers.CaseSerializer(page, many=True, context={"identity": views}).data
        return self.get_paginated_response(data)

    @extend_schema(request=api_serializers.IntakeSerializer, parameters=[IDEMPOTENCY_HEADER],
                   responses={201: api_serializers.CaseSerializer, 200: api_serializers.CaseSerializer,
                              422: ERRORS[400], **ERRORS})
    def post(self, request):
        key = request.headers.get("Idempotency-Key")
        digest = None
        if key is not None:
            key = key.strip()
            if not key or len(key) > 255:
                raise exceptions.ValidationError({"detail": _("The Idempotency-Key must have 1 to 255 characters.")})
            digest = body_hash(request.data)
        serializer = api_serializers.IntakeSerializer(data=request.data)
        if not serializer.is_valid():
            stored = IdempotentIntake.objects.filter(user=request.user, key=key).first() if key else None
            if stored is not None:  # this key made a case already: replayed, or 422 for another body
                return self._replay(stored, digest)
            raise exceptions.ValidationError(serializer.errors)
        kwargs = serializer.service_kwargs()
        now = timezone.now()
        kwargs.setdefault("received_at", now)
        try:
            with transaction.atomic():
                if key is not None:
                    stored = _stored_intake(request.user, key)
                    if stored is not None:
                        raise _AlreadyDone(stored)
                result = services.case_intake(actor=request.user, now=now, **kwargs)
                if key is not None:
                    _keep_intake(IdempotentIntake(user=request.user, key=key, body_hash=digest, case=result.case,
                                                  status_code=status.HTTP_201_CREATED, pin=result.pin, created_at=now))
        except _AlreadyDone as done:
            return self._replay(done.stored, digest)
        except IntegrityError:
            stored = IdempotentIntake.objects.filter(user=request.user, key=key).first() if key else None
            if stored is None:
                raise
            return self._replay(stored, digest)
        case = result.case  # as intake left it, its units and field loaded: only its petitioners are read again
        prefetch_related_objects([case], "petitioners")
        views = identity_views(request.user, [case], purpose="api:intake")
        body = {**api_serializers.CaseSerializer(case, context={"identity": views}).data, "pin": result.pin}
        return Response(body, status=status.HTTP_201_CREATED,
                        headers={"Location": reverse("api:case-detail", args=[result.case.pk])})

    def _replay(self, stored: IdempotentIntake, digest: str) -> Response:
        if stored.body_hash != digest:
            return Response({"detail": _("This Idempotency-Key was used with another request body."),
                             "code": "idempotency_key_reused"}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        body = {**case_body(self.request.user, stored.case, detail=False, purpose="api:intake"), "pin": stored.pin}
        return Response(body, status=stored.status_code, headers={"Idempotent-Replayed": "true"})


class CaseDetailView(APIView):
    @extend_schema(responses={200: api_serializers.CaseDetailSerializer, 404: ERRORS[404]})
    def get(self, request, pk):
        case = case_or_404(request.user, pk)
        return Response(case_body(request.user, case, detail=True, purpose="api:detail"))


# --- acts -------------------------------------------------------------------------------

class CaseActionsView(APIView):
    @extend_schema(responses={200: api_serializers.ActionSerializer(many=True), 404: ERRORS[404]})
    def get(self, request, pk):
        case = case_or_404(request.user, pk)
        names = sorted({acts.POLICY_NAMES.get(n, n) for n in policy.available_acts(request.user, case)})
        return Response([
            {"name": name, "label": services.act_label(name, case.kind),
             "url": reverse("api:case-action", args=[case.pk, name]) if name in acts.ACTS else None}
            for name in names
        ])


class CaseActionView(APIView):
    @extend_schema(
        request=inline_serializer("ActionBody", fields={"version": serializers.IntegerField(required=False)}),
        parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(acts.ACTS))],
        responses={200: api_serializers.CaseDetailSerializer, **ERRORS},
        description="Take one act. The body holds the fields of the act's form (e.g. accept: accepted_on; "
                    "suspend: ground, grounds, decision_number; extend: days, grounds; decide: decision_number, "
                    "summary, outcome; withdraw: reason, petitioner_ids, decision_number; appeal: received_at, "
                    "content). `version` (optional): the case's version the client read; another one is a 409.",
    )
    def post(self, request, pk, name):
        case = case_or_404(request.user, pk)
        act = acts.ACTS.get(name)
        if act is None:
            raise exceptions.NotFound(_("Unknown action."))
        data = request.data if isinstance(request.data, dict) else {}
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"detail": _("The body must be a JSON object.")})
        if "version" in data and data["version"] is not None:
            try:
                version = int(data["version"])
            except (TypeError, ValueError):
                raise exceptions.ValidationError({"version": [_("A whole number.")]}) from None
            if version != case.version:
                raise Conflict(_("the case was changed by someone else; reload it and try again"))
        refusal = acts.gate_refusal(request.user, case, name)
        if refusal is not None:
            raise refusal
        form = act.form({k: v for k, v in data.items() if k != "version"}, case=case, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
        with transaction.atomic():
            act.call(case, request.user, acts.cleaned(act, form, data))
        return Response(case_body(request.user, case, detail=True, purpose="api:act"))


# --- tasks, units, fields, calendar, deadlines -----------------------------------------

class TaskListView(generics.GenericAPIView):
    """My inbox: the open human tasks I hold, and those my roles may take, in my units."""

    serializer_class = api_serializers.TaskSerializer
    queryset = Task.objects.none()  # the schema's model; the rows come from get()

    @extend_schema(responses={200: api_serializers.TaskSerializer(many=True)})
    def get(self, request):
        tasks = (Task.objects.filter(policy.task_q(request.user), flow_task_type="HUMAN",
                                     status__in=[STATUS.NEW, STATUS.ASSIGNED])
                 .filter(Q(owner=request.user) | Q(owner__isnull=True))
                 .select_related("process", "owner", "process__caseprocess__case").order_by("-created", "-pk")[:500])
        rows = []
        for task in tasks:
            case = getattr(getattr(task.process, "caseprocess", None), "case", None)
            if task.owner_id is None and not policy.may_take(request.user, task.owner_permission):
                continue
            rows.append({"id": task.pk, "process": task.process_id, "case": case.pk if case else None,
                         "name": task.flow_task.name, "title": task_title(task, case), "status": task.status,
                         "owner": task.owner.username if task.owner else None, "created": task.created})
        return Response(api_serializers.TaskSerializer(rows, many=True).data)


class UnitListView(generics.ListAPIView):
    serializer_class = api_serializers.UnitSerializer
    queryset = Unit.objects.order_by("path")
    pagination_class = None


class FieldListView(generics.ListAPIView):
    serializer_class = api_serializers.FieldSerializer
    queryset = Topic.objects.order_by("code")
    pagination_class = None


class CalendarQuery(serializers.Serializer):
    start = api_serializers.BoundedDateField(required=False)
    end = api_serializers.BoundedDateField(required=False)


class CalendarView(APIView):
    """The working calendar (days off and make-up working days included), at most a year at a time."""

    @extend_schema(parameters=[CalendarQuery], responses={200: api_serializers.CalendarDaySerializer(many=True),
                                                          400: ERRORS[400]})
    def get(self, request):
        query = CalendarQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start = query.validated_data.get("start") or clock.legal_today()
        end = query.validated_data.get("end") or start + dt.timedelta(days=30)
        if end < start or (end - start).days > 366:
            raise exceptions.ValidationError({"detail": _("Give a range of at most 366 days, end after start.")})
        notes = dict(CalendarOverride.objects.filter(date__range=(start, end)).values_list("date", "description"))
        days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        return Response([{"day": d, "is_working_day": is_working_day(d), "note": notes.get(d, "")} for d in days])


class DeadlineQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    received = api_serializers.BoundedDateField()
    round = serializers.ChoiceField(choices=(1, 2), required=False, default=1)
    complexity = serializers.ChoiceField(choices=Complexity.choices, required=False, default=Complexity.SIMPLE)
    remote = serializers.BooleanField(required=False, default=False)
    multi_site = serializers.BooleanField(required=False, default=False)
    accepted = api_serializers.BoundedDateField(required=False, allow_null=True, default=None)
    extensions = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10)


class DeadlineView(APIView):
    """The statutory deadlines of a petition: the same calculator as ``manage.py deadline``."""

    @extend_schema(parameters=[DeadlineQuery], responses={200: OpenApiTypes.OBJECT, 400: ERRORS[400]})
    def get(self, request):
        query = DeadlineQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        inp = DeadlineInput(kind=data["kind"], received=data["received"], round=int(data["round"]),
                            complexity=data["complexity"], remote=data["remote"], multi_site=data["multi_site"],
                            accepted=data["accepted"], extensions=data["extensions"])
        try:
            result = compute_deadlines(inp)
        except (ValueError, OverflowError) as exc:
            raise exceptions.ValidationError({"detail": str(exc)}) from None
        return Response(result.as_json())
