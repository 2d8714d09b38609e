"""The insider's probe: every URL the resolver knows, as every demo user, with other units' ids.

The URL list is walked from ``get_resolver()`` (our pages, viewflow's FlowAppViewset, the admin),
so a new URL is probed without editing this file. Each pattern is filled with real values —
ids of cases, processes, tasks, events, units, users and memberships outside the user's scope,
inside it but under §5 secrecy, and inside it and the user's own — and requested with GET and,
where the view takes one, a POST of garbage. Every request runs in a savepoint that is rolled
back, so a destructive POST never changes what the next request sees.

Each answer is checked against the oracle of ``conftest.py`` (written from the rules, not from
``access.policy``): no 500; no tracking code, text, name, ID number, phone or address of a case
outside the user's scope, and no denouncer identity for anyone reference §5 does not name, in
the body, the headers or a redirect; no write to anything outside the user's scope; the
anonymous visitor only reaches public pages. Then the admin: a lookup its ``list_filter`` does
not declare, or a search, answers the same for a real value and for nonsense.

Every pattern is requested by every demo user and the anonymous visitor (about two minutes on two
cores); the values are chosen deterministically, rotating over the candidates from pattern to
pattern. ``PROBE_USERS=sample`` keeps, for patterns with parameters, one user per role whose scope
leaves other units out and one whose scope is the whole province.
"""
from __future__ import annotations

import html
import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import unquote, urlencode

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .conftest import LETTERS, CaseRow, Demo, UserRow

# Pages an anonymous visitor may open; any other answer to them is a login redirect, 403, 404 or 405.
PUBLIC = {
    ":home", ":track", ":set_language", ":login", ":logout", ":password_reset", ":password_reset_done",
    ":password_reset_confirm", ":password_reset_complete", "admin:login", "admin:logout",
    # the API's description, for integrators; Open311's GeoReport v2 reads are public by the spec
    "api:schema", "api:docs", "open311:services", "open311:service", "open311:requests", "open311:request",
    "open311:token",
}
LOGIN_PATHS = (settings.LOGIN_URL, "/admin/login/")
PROBE_ADDRESS = "198.51.100.250"  # the client address of the probe's /track/ posts (lockout counters)
# the database is set up only for modules that ask for it (the module fixture shares one demo)
pytestmark = pytest.mark.django_db

GARBAGE = {"probe": "1", "grounds": "", "reason": "", "code": "", "pin": ""}


# --- the URL patterns ------------------------------------------------------------------

@dataclass
class Pattern:
    index: int
    route: str  # the prefixes and the pattern, as written (``workflow/<int:process_pk>/chart/``)
    name: str  # ``namespace:name`` (``:name`` without a namespace; ``:None`` when unnamed)
    callback: object
    params: dict[str, str]  # parameter → converter (``int``, ``str``, ``path``, ``regex``…)

    @property
    def takes_post(self) -> bool:
        view_class = getattr(self.callback, "view_class", None)
        if view_class is None:
            return True  # a function view: let it say 405
        return "post" in view_class.http_method_names and hasattr(view_class, "post")

    @property
    def admin_model(self):
        """The model of an admin page (``admin/<app_label>/<model_name>/…``), else None."""
        parts = self.route.split("/")
        if len(parts) < 3 or parts[0] != "admin":
            return None
        for model in admin.site._registry:
            if (model._meta.app_label, model._meta.model_name) == (parts[1], parts[2]):
                return model
        return None

    @property
    def task_node(self) -> str | None:
        """The flow node of a task page (``…/<int:process_pk>/<node>/<int:task_pk>/…``)."""
        found = re.search(r"<int:process_pk>/(\w+)/<int:task_pk>", self.route)
        return found.group(1) if found else None

    def url(self, values: dict[str, object]) -> str:
        def route_param(match):
            return str(values[match.group(2)])

        def regex_param(match):
            if re.fullmatch(r"\w+(\|\w+)*", match.group(2)):  # a choice of literals (json|xml): the first
                return match.group(2).split("|")[0]
            return str(values[match.group(1)])

        # regex groups first: their "<name>" would otherwise be taken for a route parameter
        path = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", regex_param, self.route)
        path = re.sub(r"<(?:(\w+):)?(\w+)>", route_param, path)
        return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


def url_patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = entry.pattern
                converters = getattr(pattern, "converters", {})
                params = {name: type(conv).__name__.replace("Converter", "").lower() for name, conv in converters.items()}
                regex = getattr(pattern, "_regex", None)
                if not converters and isinstance(regex, str):
                    params.update({name: "regex" for name in re.compile(regex).groupindex})
                found.append(Pattern(len(found), prefix + str(pattern), f"{namespace or ''}:{entry.name}",
                                     entry.callback, params))

    walk(get_resolver(), "", None)
    return found


# --- what each user must not see ---------------------------------------------------------

def trie_regex(words) -> re.Pattern:
    """One regex for many literals: a trie, so a page is scanned once whatever the number of markers."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node) -> str:
        alternatives = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(build(trie) if trie else r"(?!x)x")


class Markers:
    """The strings one user must never be shown, each with what it is."""

    def __init__(self, demo: Demo, user: UserRow | None):
        allowed: list[str] = []
        forbidden: dict[str, tuple[str, str]] = {}
        for case in demo.cases.values():
            ref = f"case #{case.pk} {case.kind} ({case.tracking_code})"
            forbidden[case.pin_hash] = ("pin hash", f"PIN hash of {ref}")
            if not demo.in_scope(user, case):
                forbidden[case.tracking_code] = ("out-of-scope data", f"tracking code of {ref}")
                forbidden[case.content] = ("out-of-scope data", f"content of {ref}")
                for person in case.people:
                    for label, value in zip(("name", "ID number", "phone", "address"), _fields(person)):
                        forbidden.setdefault(value, ("out-of-scope data", f"petitioner {label} of {ref}"))
                continue
            allowed += [case.tracking_code, *case.texts]
            if demo.may_see_people(user, case):
                allowed.append(case.content)
                allowed += [v for p in case.people for v in p.values()]
                continue
            redacted = case.content
            for person in case.people:
                for label, value in zip(("name", "ID number", "phone", "address"), _fields(person)):
                    forbidden[value] = ("denouncer identity", f"denouncer {label} of {ref}")
                    redacted = redacted.replace(value, "\x00") if value else redacted
            allowed.append(redacted)
        blob = "\x00".join(allowed)
        self.forbidden = {m: d for m, d in forbidden.items() if m and len(m) >= 6 and m not in blob}
        variants = {}
        for marker in self.forbidden:
            for variant in {marker, html.escape(marker), json.dumps(marker)[1:-1]}:
                variants[variant] = marker
        self.variants = variants
        self.regex = trie_regex(variants)

    def found(self, text: str, echoed: str = "") -> list[str]:
        hits = {self.variants[m.group(0)] for m in self.regex.finditer(text)}
        return sorted(m for m in hits if m not in echoed)


def _fields(person):
    return (person.full_name, person.id_number, person.phone, person.address)


# --- choosing the values -----------------------------------------------------------------

class Pools:
    """For one user: cases out of scope, in scope under §5 secrecy, and in scope and theirs to see."""

    def __init__(self, demo: Demo, user: UserRow | None):
        cases = list(demo.cases.values())
        self.demo, self.user = demo, user
        self.out = [c for c in cases if not demo.in_scope(user, c)]
        self.secret = [c for c in cases if demo.in_scope(user, c) and not demo.may_see_people(user, c)]
        self.tokens = set()  # the task queues the user may take from (``role@unit``, the role held there or above)
        if user is not None:
            for unit_id, unit in demo.units.items():
                for g in user.grants:
                    if unit.path.startswith(g.path):
                        self.tokens.add(f"{g.role}@{unit_id}")
        own = [c for c in cases if demo.may_see_people(user, c)]
        # the cases the user works on, if any, so that "own" requests render pages rather than 403s
        self.own = [c for c in own if self._works_on(c)] or own

    def _works_on(self, case: CaseRow) -> bool:
        return self.user is not None and (
            case.handler_id == self.user.user.pk
            or any(t["case"] is case and self._takes(t) for t in self.demo.tasks if t["status"] in ("NEW", "ASSIGNED"))
        )

    def _takes(self, task) -> bool:
        return task["owner_id"] == self.user.user.pk or task["owner_permission"] in self.tokens

    def cases(self, variant: str) -> list[CaseRow]:
        """Out of scope; in scope under §5 secrecy; in scope and the user's to see (worked on first)."""
        return {"out": self.out, "secret": self.secret, "own": self.own}[variant]

    def tasks(self, variant: str, node: str | None) -> list[dict]:
        ids = {c.pk for c in self.cases(variant)}
        tasks = [t for t in self.demo.tasks if t["case"].pk in ids]
        same_node = [t for t in tasks if node is None or t["node"] == node]
        tasks = same_node or tasks
        if variant == "own" and self.user is not None:
            tasks = [t for t in tasks if self._takes(t)] or tasks
        return tasks


def pick(items, salt: int):
    return items[salt % len(items)] if items else None


@dataclass
class Binding:
    values: dict[str, object]
    case: CaseRow | None = None  # the case the URL points at, if any


def bind(pattern: Pattern, pools: Pools, variant: str, salt: int) -> Binding | None:
    """Values for the pattern's parameters, of the variant's kind; None when there are none."""
    demo, user = pools.demo, pools.user
    params = pattern.params
    if not params:
        first = "out" if user is None else "own"
        return Binding({}) if variant == first else None
    values: dict[str, object] = {}
    case = None
    model = pattern.admin_model
    if "task_pk" in params:
        task = pick(pools.tasks(variant, pattern.task_node), salt)
        if task is None:
            return None
        values.update(process_pk=task["process_id"], task_pk=task["pk"])
        case = task["case"]
    elif "process_pk" in params:
        case = pick([c for c in pools.cases(variant) if c.process_id], salt)
        if case is None:
            return None
        values["process_pk"] = case.process_id
    elif "case_pk" in params:
        case = pick(pools.cases(variant), salt)
        if case is None:
            return None
        values["case_pk"] = case.pk
    elif model is not None and ({"object_id", "id"} & set(params)):
        found = admin_object(model, pools, variant, salt)
        if found is None:
            return None
        pk, case = found
        values["object_id" if "object_id" in params else "id"] = pk
    for name, converter in params.items():
        if name in values:
            continue
        if name == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            from cases.models import Case

            case = case or pick(pools.cases(variant), salt)
            if case is None:
                return None
            values[name] = ContentType.objects.get_for_model(Case).pk
            values.setdefault("object_id", case.pk)
        elif name == "app_label":
            labels = sorted({m._meta.app_label for m in admin.site._registry})
            values[name] = pick(labels, salt)
        elif name == "url":
            case = case or pick(pools.cases(variant), salt)
            if case is None:
                return None
            values[name] = f"cases/case/{case.pk}"
        elif name == "uidb64":
            other = pick([u for u in demo.users if user is None or u.user.pk != user.user.pk], salt)
            values[name] = urlsafe_base64_encode(force_bytes(other.user.pk))
        elif name == "token":
            values[name] = pick(["set-password", "5z0-0a1b2c3d4e5f6a7b8c9d"], salt)
        elif name == "fmt":  # Open311's response format (json|xml), not a case
            values[name] = "json"
        else:
            case = case or pick(pools.cases(variant), salt)
            if case is None:
                return None
            values[name] = case.pk if converter == "int" else case.tracking_code
    return Binding(values, case)


def admin_object(model, pools: Pools, variant: str, salt: int):
    """(pk, case) of an object of an admin model, of the variant's kind."""
    from viewflow.workflow.models import Process, Task

    from cases.models import Case, CaseEvent
    from organisation.models import Membership, Unit

    demo, user = pools.demo, pools.user
    cases = pools.cases(variant)
    if model is Case:
        case = pick(cases, salt)
        return (case.pk, case) if case else None
    if model is CaseEvent:
        ids = {c.pk for c in cases}
        event = pick([e for e in demo.events if e[1] in ids], salt)
        return (event[0], demo.cases[event[1]]) if event else None
    if issubclass(model, Process):
        case = pick([c for c in cases if c.process_id], salt)
        return (case.process_id, case) if case else None
    if model is Task:
        task = pick(pools.tasks(variant, None), salt)
        return (task["pk"], task["case"]) if task else None
    if variant == "secret":
        return None
    inside = variant == "own"
    if model is Unit:
        units = [pk for pk in sorted(demo.units) if demo.unit_in_scope(user, pk) == inside]
        return (pick(units, salt), None) if units else None
    if model is Membership:
        rows = [pk for pk, unit_id in Membership.objects.order_by("pk").values_list("pk", "unit_id")
                if demo.unit_in_scope(user, unit_id) == inside]
        return (pick(rows, salt), None) if rows else None
    if model is get_user_model():
        rows = [u.user.pk for u in demo.users
                if any(demo.unit_in_scope(user, g.unit_id) for g in u.grants) == inside
                and (user is None or u.user.pk != user.user.pk)]
        return (pick(rows, salt), None) if rows else None
    if not inside and user is not None:
        return None  # an object with no unit is outside nobody's scope (but no page is the anonymous visitor's)
    first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    # An empty table (no login attempt yet, say) is still probed, with an id that names no row.
    return (first if first is not None else 999_999, None)


# --- running the requests ----------------------------------------------------------------

FINGERPRINT = """
SELECT
 (SELECT md5(coalesce(string_agg(id||':'||status||':'||version||':'||coalesce(handler_id,0)||':'
   ||coalesce(competent_unit_id,0)||':'||kind, ',' ORDER BY id), '')) FROM cases_case),
 (SELECT md5(coalesce(string_agg(id||':'||status||':'||coalesce(owner_id,0), ',' ORDER BY id), '')) FROM viewflow_task),
 (SELECT md5(coalesce(string_agg(id||':'||status, ',' ORDER BY id), '')) FROM viewflow_process),
 (SELECT count(*) FROM cases_caseevent),
 (SELECT md5(coalesce(string_agg(id||':'||is_superuser||':'||is_staff||':'||is_active||':'||password, ','
   ORDER BY id), '')) FROM auth_user),
 (SELECT md5(coalesce(string_agg(id||':'||user_id||':'||unit_id||':'||role||':'||coalesce(valid_from::text,'')
   ||coalesce(valid_to::text,''), ',' ORDER BY id), '')) FROM organisation_membership),
 (SELECT md5(coalesce(string_agg(id||':'||coalesce(parent_id,0)||':'||path||':'||coalesce(valid_to::text,''), ','
   ORDER BY id), '')) FROM organisation_unit),
 (SELECT count(*) FROM auth_user_groups), (SELECT count(*) FROM auth_user_user_permissions),
 (SELECT count(*) FROM auth_group_permissions)
"""
FINGERPRINT_PARTS = ("cases", "tasks", "processes", "case events", "users", "memberships", "units",
                     "user groups", "user permissions", "group permissions")


def fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT)
        return cursor.fetchone()


@dataclass(frozen=True)
class Finding:
    category: str
    pattern: str
    user: str
    method: str
    url: str
    detail: str

    def line(self) -> str:
        return f"[{self.category}] {self.method} {self.url}  ({self.pattern})  as {self.user}: {self.detail}"


@dataclass
class Run:
    findings: list[Finding] = field(default_factory=list)
    requests: int = 0
    own_gets: Counter = field(default_factory=Counter)  # role → own-scope GETs
    own_ok: Counter = field(default_factory=Counter)  # role → of those, 200
    own_codes_seen: Counter = field(default_factory=Counter)  # role → 200 pages showing the case's own tracking code
    own_pages: set = field(default_factory=set)  # (pattern name, role) that answered 200 in the user's own scope
    patterns: set = field(default_factory=set)
    covered: set = field(default_factory=set)  # (pattern, role)
    unresolved: list = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # (variant, method, status) → requests

    def summary(self) -> str:
        roles = sorted(self.own_gets)
        own = ", ".join(f"{r}: {self.own_ok[r]}/{self.own_gets[r]} (code shown {self.own_codes_seen[r]})" for r in roles)
        return f"{self.requests} requests; own-scope GETs answering 200 per role: {own}; statuses: {dict(self.statuses)}"


def role_of(user: UserRow | None) -> str:
    if user is None:
        return "anonymous"
    return sorted(user.roles)[0] if user.roles else "none"


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


class Prober:
    def __init__(self, demo: Demo):
        self.demo = demo
        self.run = Run()
        self.client = Client(REMOTE_ADDR=PROBE_ADDRESS)
        self.sessions: dict[str | None, str | None] = {None: None}
        for row in demo.users:
            self.client.cookies = SimpleCookie()  # else the next login flushes the previous user's session
            self.client.force_login(row.user)
            self.sessions[row.username] = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        self.markers: dict[str | None, Markers] = {}
        self.pools: dict[str | None, Pools] = {}

    def _markers(self, user):
        key = user.username if user else None
        if key not in self.markers:
            self.markers[key] = Markers(self.demo, user)
        return self.markers[key]

    def _pools(self, user):
        key = user.username if user else None
        if key not in self.pools:
            self.pools[key] = Pools(self.demo, user)
        return self.pools[key]

    def probe(self, pattern: Pattern, user: UserRow | None, salt: int) -> None:
        pools = self._pools(user)
        self.run.patterns.add(pattern.name + " " + pattern.route)
        variants = ("out",) if user is None else ("out", "secret", "own")
        for variant in variants:
            binding = bind(pattern, pools, variant, salt)
            if binding is None:
                continue
            url = pattern.url(binding.values)
            try:
                resolve(url.split("?")[0])
            except Resolver404:
                self.run.unresolved.append((pattern.route, url))
                continue
            self.run.covered.add((pattern.route, role_of(user)))
            methods = ["get", "post"] if pattern.takes_post else ["get"]
            if not pattern.params:
                # list and bulk pages: also ask for everything (viewflow's bulk actions take select_all=1)
                self.request(pattern, user, variant, "get", url + "?select_all=1", {}, binding)
            for method in methods:
                data = dict(GARBAGE)
                if pattern.name == ":track" and method == "post" and binding.case is None:
                    case = pick(pools.out or pools.secret or pools.own, salt)
                    data.update(code=case.tracking_code, pin="000000")  # a real code, a wrong PIN
                self.request(pattern, user, variant, method, url, data, binding)

    def request(self, pattern, user, variant, method, url, data, binding) -> None:
        run = self.run
        run.requests += 1
        who = user.username if user else "anonymous"
        client = self.client
        client.cookies = SimpleCookie()
        if self.sessions[who if user else None]:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[who]
        check_writes = method == "post" and (
            variant == "out"
            or (pattern.admin_model is not None and pattern.admin_model._meta.app_label in ("auth", "organisation")
                and not (user and user.is_system_admin))
        )

        def add(category, detail):
            run.findings.append(Finding(category, pattern.name, who, method.upper(), url, detail))

        with transaction.atomic():
            before = fingerprint() if check_writes else None
            try:
                response = client.get(url) if method == "get" else client.post(url, data)
            except Exception as error:  # a view that raised: the test client re-raises what would be a 500
                add("500", f"{type(error).__name__}: {str(error)[:200]}")
                transaction.set_rollback(True)
                return
            if check_writes and response.status_code < 500:
                after = fingerprint()
                changed = [name for name, a, b in zip(FINGERPRINT_PARTS, before, after) if a != b]
                if changed:
                    add("write out of scope", f"answered {response.status_code} and changed {', '.join(changed)}")
            transaction.set_rollback(True)

        status = response.status_code
        run.statuses[(variant, method, status)] += 1
        if status >= 500:
            add("500", f"status {status}")
        body = body_of(response)
        headers = "\n".join(f"{k}: {v}" for k, v in response.items())
        location = response.get("Location", "")
        echoed = unquote(url) + "\n" + "\n".join(str(v) for v in data.values())
        markers = self._markers(user)
        for where, text in (("body", body), ("headers", headers + "\n" + unquote(location))):
            for marker in markers.found(text, echoed):
                category, what = markers.forbidden[marker]
                add(category, f"status {status}, {where} shows {what}: {marker[:60]!r}")
        if variant == "out" and user is not None and binding.case is not None and status == 200:
            add("out-of-scope page answers", f"status 200 for {method.upper()} on case #{binding.case.pk}")
        if user is None:
            public = pattern.name in PUBLIC
            if status == 200 and not public:
                add("anonymous reaches a staff page", "status 200")
            if 300 <= status < 400 and not public and not location.split("?")[0].endswith(LOGIN_PATHS):
                add("anonymous reaches a staff page", f"status {status} to {location}")
            return
        if variant == "own" and method == "get" and pattern.params and (
            user.user.is_staff or not pattern.route.startswith("admin/")
        ):  # (the admin is for staff accounts only: for the others a login redirect is the answer)
            role = role_of(user)
            run.own_gets[role] += 1
            if status == 200:
                run.own_ok[role] += 1
                run.own_pages.add((pattern.name, role))
                if binding.case is not None and binding.case.tracking_code in body:
                    run.own_codes_seen[role] += 1


def sample_users(demo: Demo, pattern: Pattern) -> list[UserRow | None]:
    """Every demo user and the anonymous visitor. With ``PROBE_USERS=sample`` (a quicker run), pages
    with parameters get, per role, one user whose scope leaves other units' cases out and one whose
    scope is the province, and the anonymous visitor."""
    staff = [u for u in demo.users if u.grants]
    if not pattern.params or os.environ.get("PROBE_USERS", "all") == "all":
        return [None, *staff]
    chosen: list[UserRow | None] = [None]
    by_role = defaultdict(list)
    for row in staff:
        by_role[role_of(row)].append(row)
    for role, rows in sorted(by_role.items()):
        wide = [r for r in rows if any(g.is_root for g in r.grants)]
        narrow = [r for r in rows if r not in wide]
        for group in (narrow, wide):
            if group:
                chosen.append(group[pattern.index % len(group)])
    return chosen


@pytest.fixture(scope="module")
def probe_run(demo, django_db_blocker) -> Run:
    import logging

    from django.core.cache import cache

    from cases.selectors import tracking_keys

    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.CRITICAL)  # thousands of expected 403/404 warnings cost time and say nothing
    with django_db_blocker.unblock():
        prober = Prober(demo)
        for pattern in url_patterns():
            for position, user in enumerate(sample_users(demo, pattern)):
                prober.probe(pattern, user, salt=pattern.index * 7 + position)
    request_log.setLevel(level)
    cache.delete_many(tracking_keys("", PROBE_ADDRESS) + [tracking_keys(c.tracking_code, "")[0] for c in demo.cases.values()])
    return prober.run


def report(findings: list[Finding], limit: int = 60) -> str:
    grouped = defaultdict(list)
    for finding in findings:  # one line per kind of leak on one pattern, with every user it reached
        kind = re.sub(r"case #\d+( \w+ \(\w+\))?|'.*'|\d+", "", finding.detail)
        grouped[(finding.category, finding.pattern, kind)].append(finding)
    lines = [f"{len(findings)} findings in {len(grouped)} groups:"]
    for (category, pattern, _detail), items in sorted(grouped.items()):
        users = sorted({f.user for f in items})
        lines.append(f"- {items[0].line()}  [{len(items)}× ; users: {', '.join(users)}]")
        if len(lines) > limit:
            lines.append("…")
            break
    return "\n".join(lines)


def _of(run: Run, *categories) -> list[Finding]:
    return [f for f in run.findings if f.category in categories]


# --- the tests ---------------------------------------------------------------------------

def test_the_probe_renders_real_pages(probe_run):
    """A probe that only meets 404s and 403s proves nothing: inside their own scope, users get pages,
    and the pages show the cases they were asked about."""
    run = probe_run
    assert not run.unresolved, run.unresolved[:10]
    assert len(run.patterns) >= 150, len(run.patterns)
    missing = [(p.route, role) for p in url_patterns() for role in ("anonymous", "reception", "handler", "head", "admin")
               if (p.route, role) not in run.covered]
    assert not missing, missing[:20]
    for role in ("reception", "handler", "head", "admin"):
        # most task actions belong to another role or to the task's owner: 403 is their right answer
        assert run.own_ok[role] >= 20 and run.own_ok[role] / run.own_gets[role] >= 0.1, run.summary()
        assert run.own_codes_seen[role] >= 10, run.summary()
        assert ("workflow:process_detail", role) in run.own_pages, run.summary()


def test_the_identity_detector_can_fire(demo):
    """The clerk who took a letter reads its writer's name on the task page; for a colleague of the
    same unit whom §5 does not name, that name is one of the strings the probe looks for."""
    from viewflow.workflow.models import Task

    for code, name, id_number, _phone, _address in LETTERS:
        case = next(c for c in demo.cases.values() if c.people and c.people[0].id_number == id_number)
        clerk = next(u for u in demo.users if any(g.unit_id == case.receiving_unit_id and g.role == "reception"
                                                   for g in u.grants))
        colleague = next(u for u in demo.users if any(g.unit_id == case.receiving_unit_id and g.role == "handler"
                                                       for g in u.grants))
        task = Task.objects.get(process_id=case.process_id, status="NEW", flow_task_type="HUMAN")
        client = Client()
        client.force_login(clerk.user)
        assert client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk])).status_code == 302
        page = client.get(task.flow_task.reverse("execute", args=[task.process_id, task.pk]))
        assert page.status_code == 200 and name in page.content.decode(), code
        markers = Markers(demo, colleague)
        assert markers.forbidden.get(name, ("",))[0] == "denouncer identity", (code, colleague.username)
        assert markers.found(page.content.decode()), (code, colleague.username)


def test_no_page_answers_500(probe_run):
    assert not _of(probe_run, "500"), report(_of(probe_run, "500"))


def test_nothing_of_a_case_outside_the_users_scope_is_shown(probe_run):
    found = _of(probe_run, "out-of-scope data", "pin hash")
    assert not found, report(found)


def test_no_denouncer_identity_for_anyone_reference_5_does_not_name(probe_run):
    found = _of(probe_run, "denouncer identity")
    assert not found, report(found)


def test_nothing_outside_the_users_scope_is_changed(probe_run):
    found = _of(probe_run, "write out of scope")
    assert not found, report(found)


def test_no_page_of_a_case_outside_the_users_scope_answers(probe_run):
    """Even without a tracking code in it, a page about another unit's case tells what it is at
    (viewflow's process chart shows which steps are done)."""
    found = _of(probe_run, "out-of-scope page answers")
    assert not found, report(found)


def test_the_anonymous_visitor_reaches_only_public_pages(probe_run):
    found = _of(probe_run, "anonymous reaches a staff page")
    assert not found, report(found)


# --- the admin: no lookup outside the declared filters, no search over secrets ----------------

NONSENSE = "zq-probe-nonsense-0"


def declared_lookups(model_admin) -> set[str]:
    """What a ModelAdmin declares it filters on: its ``list_filter`` and ``date_hierarchy``."""
    names = set()
    for item in model_admin.list_filter:
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, (tuple, list)):
            names.add(item[0])
        elif getattr(item, "parameter_name", None):
            names.add(item.parameter_name)
    if model_admin.date_hierarchy:
        names.add(model_admin.date_hierarchy)
    return names


def _resolves(model, lookup: str) -> bool:
    from django.core.exceptions import FieldDoesNotExist

    try:
        model._meta.get_field(lookup.split("__")[0])
    except FieldDoesNotExist:
        return False
    return True


def secret_values(demo: Demo, user: UserRow, listed_cases: list[CaseRow]) -> dict[str, str]:
    """Values nobody may test through the admin: a letter's denouncer (ID number, name, a piece of
    address that appears in the raw text), a PIN hash; taken from cases the user's list shows, so that
    a lookup the admin honours tells a real value from nonsense."""
    letters = [c for c in listed_cases if c.people and any(c.people[0].id_number == l[2] for l in LETTERS)]
    protected = [c for c in listed_cases if c.protected and c.people]
    source = (letters or protected or listed_cases or [None])[0]
    values = {"pin": (listed_cases[0].pin_hash[:1] if listed_cases else "a")}
    if source is not None and source.people:
        person = source.people[0]
        values.update(id_number=person.id_number, name=person.full_name, words=person.address.split(",")[0])
    return values


def specific_lookups(model, secrets: dict[str, str]) -> list[tuple[str, str, str]]:
    """(lookup, real value, nonsense) for the oracles reported on today's admin."""
    probes = []
    for prefix in ("", "case__"):
        if prefix and not _resolves(model, "case"):
            continue
        if not prefix and not _resolves(model, "content"):
            continue
        probes += [
            (f"{prefix}content__icontains", secrets.get("id_number", "0"), "000000000000"),
            (f"{prefix}content__regex", "^T", "^Zq9"),
            (f"{prefix}pin_hash__startswith", secrets["pin"], "z"),
            (f"{prefix}petitioners__id_number", secrets.get("id_number", "0"), "000000000000"),
            (f"{prefix}petitioners__full_name", secrets.get("name", "x"), "Zzz Qqq Xxx"),
            (f"{prefix}receiving_unit__path__startswith", "/", "/zz/"),
        ]
    if _resolves(model, "payload"):
        probes.append(("payload__icontains", "a", NONSENSE))
    return probes


def generic_lookups(model, model_admin, objects) -> list[tuple[str, str, str]]:
    """Every text field the admin does not declare as a filter, with a value one of the listed rows has."""
    declared = declared_lookups(model_admin)
    probes = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in declared or not isinstance(f, (models.CharField, models.TextField)):
            continue
        value = next((getattr(o, f.attname) for o in objects if isinstance(getattr(o, f.attname), str)
                      and getattr(o, f.attname)), None)
        if value:
            probes.append((f"{f.name}__exact", value, NONSENSE))
    return probes


def outcome(response) -> tuple:
    context = response.context or {}
    cl = context.get("cl") if hasattr(context, "get") else None
    return (response.status_code, cl.result_count if response.status_code == 200 and cl is not None else None)


@pytest.fixture
def admin_users(demo):
    """The demo accounts the admin lets in (staff); each gets its own browser."""
    import logging

    logging.getLogger("django.security").setLevel(logging.CRITICAL)  # each refused lookup logs an ERROR
    users = []
    for row in demo.users:
        if row.user.is_staff:
            client = Client()
            client.force_login(row.user)
            users.append((row, client))
    assert {row.username for row, _client in users} >= {"quantri", "quantri.xa"}
    yield users
    logging.getLogger("django.security").setLevel(logging.NOTSET)


def admin_changelists():
    from django.urls import reverse

    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        yield model, model_admin, reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _listed_cases(demo: Demo, model, objects) -> list[CaseRow]:
    from cases.models import Case

    if model is Case:
        return [demo.cases[o.pk] for o in objects]
    if _resolves(model, "case"):
        return [demo.cases[o.case_id] for o in objects if getattr(o, "case_id", None) in demo.cases]
    return []


def _compare(client, url, lookup, real, nonsense):
    with transaction.atomic():
        first = outcome(client.get(url, {lookup: real}))
        second = outcome(client.get(url, {lookup: nonsense}))
        transaction.set_rollback(True)
    return first, second


def test_admin_lookups_outside_the_declared_filters_tell_nothing(demo, admin_users):
    """``?content__icontains=<ID number>`` gave 1 against 0 for nonsense, ``content__regex`` read the
    text letter by letter, ``pin_hash__startswith`` tested PIN hashes. A lookup the admin does not
    declare must be refused (400) or ignored: the same answer for a real value and for nonsense."""
    findings, reached = [], Counter()
    for row, client in admin_users:
        for model, model_admin, url in admin_changelists():
            response = client.get(url)
            if response.status_code != 200:
                continue
            reached[row.username] += 1
            objects = list(response.context["cl"].result_list)
            secrets = secret_values(demo, row, _listed_cases(demo, model, objects))
            for lookup, real, nonsense in specific_lookups(model, secrets) + generic_lookups(model, model_admin, objects):
                first, second = _compare(client, url, lookup, real, nonsense)
                if first != second:
                    findings.append(f"{url}?{urlencode({lookup: real})} as {row.username}: "
                                    f"(status, results) {first} for the real value, {second} for nonsense")
    assert reached["quantri"] >= 5 and reached["quantri.xa"] >= 1, reached
    assert not findings, f"{len(findings)} admin lookups answer differently for a real value:\n" + "\n".join(findings)


def test_admin_search_runs_over_no_identity_or_text(demo, admin_users):
    """``?q=`` with a denouncer's ID number, name or a piece of the raw text gives the same count as nonsense."""
    findings = []
    for row, client in admin_users:
        for model, _model_admin, url in admin_changelists():
            response = client.get(url)
            if response.status_code != 200:
                continue
            listed = _listed_cases(demo, model, list(response.context["cl"].result_list))
            if not listed:  # not a case list: test with the letters of the whole demo
                listed = [c for c in demo.cases.values() if demo.in_scope(row, c)]
            secrets = secret_values(demo, row, listed)
            terms = [(secrets.get(key), nonsense) for key, nonsense in
                     (("id_number", "000000000000"), ("name", "Zzz Qqq Xxx"), ("words", "Zzz 99"))]
            for real, nonsense in terms:
                if not real:
                    continue
                first, second = _compare(client, url, "q", real, nonsense)
                if first != second:
                    findings.append(f"{url}?q={real} as {row.username}: (status, results) {first} vs {second} for nonsense")
    assert not findings, f"{len(findings)} admin searches answer differently for a real value:\n" + "\n".join(findings)
