"""Every route of the site, as every kind of user, with hostile input: never a 500, nothing written when
refused.

The routes are read from the URL resolver, not listed by hand: a route added later is swept too, and one
whose path arguments this module cannot fill fails ``test_every_route_is_swept`` until it can. Each route
is requested by GET and POST as an anonymous visitor, a lead unit's liaison, a supporting unit's liaison,
the plan's coordinator, another plan's coordinator and a superuser, with every parameter name the site
reads set to a hostile value (``HOSTILE``: a different value for each name, rotated between requests), and
with its path arguments replaced by hostile ones (ids too long, of nothing, of another plan's objects).

``make fuzz`` runs the same sweep with many more rotations (``HARDENING_PROFILE=long``).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tasks import filters as task_filters
from tasks import forms as task_forms
from tasks.models import (
    Bulletin,
    Evidence,
    Export,
    ExtensionRequest,
    IndicatorReport,
    Plan,
    ProgressReport,
    Roundup,
    StatusChange,
    SupervisionNotice,
    Unit,
    WorkItem,
)
from tasks.roundups.periods import Period
from tasks.services.documents import bulletin_for_roundup
from tasks.services.exports import export_run
from tasks.services.notices import notices_issue_for_items
from tasks.services.reports import work_item_request_close
from tasks.services.review import extension_request_create
from tasks.services.roundups import roundup_generate
from tasks.tests.daily_setup import MODEL_BACKEND, make_world
from tasks.tests.hardening.sweeps import built_once, copy_for_test, row_counts

pytestmark = pytest.mark.django_db




OK = {200, 204, 302, 400, 401, 403, 404, 405, 429}
LONG = os.environ.get("HARDENING_PROFILE") == "long"
ROTATIONS = 40 if LONG else 2

# Values people and scripts send: digits int() refuses, ids past bigint, negative and zero ids, dates that do
# not exist or are out of range, numbers that are not, NUL and control characters, markup, SQL, very long.
# First the classes issue 30 found (each form, filter and parameter gets these first): text of only zero-width
# or invisible characters, NUL, 80,000 characters, dates outside 2000-2100, 20-digit ids, full-width digits.
CLASSES = [
    "\u200b\u200d\ufeff", "\x00", "a" * 80_000, "0001-01-01", "9999-12-31", "99999999999999999999", "３",
    "２０２６-０１-０１", "\u3000\u200b\u3164", "1999-12-31",
]
HOSTILE = CLASSES + [
    "²", "-1", "0", "", " ", "2023-02-30", "2101-01-01", "1e999", "NaN", "-0", "５０", "①", "\u200b",
    "<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd", "一" * 300, "true", "[]", "{}", "1,2,3",
    "1.5", "10**9",
]

# Query parameters the views read themselves that no form names (the scan below finds the rest in the source).
EXTRA_PARAMS = [
    "page", "per_page", "sort", "q", "export", "history", "xpage", "c-page", "c-per_page", "c-sort", "next",
    "ids", "items", "item", "bucket", "field", "year", "month", "kind", "period", "language", "format", "all",
    "decision", "action", "step", "columns", "token", "unit", "plan", "lead_unit", "key_task", "indicator",
]
# A parameter read in a view, a service or the admin: request.GET.get("name"), .POST.getlist("name"),
# query_params["name"], "name" in request.POST.
_READ = re.compile(r"""(?:GET|POST|query_params|FILES)(?:\.get|\.getlist)?[(\[]["']([\w-]+)["']"""
                   r"""|["']([\w-]+)["'] in request\.(?:GET|POST)""")


def _read_in_source() -> set[str]:
    names = set()
    for path in Path(__file__).resolve().parents[2].rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            for match in _READ.finditer(path.read_text(encoding="utf-8")):
                names.add(match.group(1) or match.group(2))
    return names


def _form_fields() -> list[str]:
    """Every name a form, a filter or an API serializer of the project reads (found, not listed: the project's
    modules are walked as ``test_forms`` does), and every name the source reads from a request."""
    from django import forms
    from rest_framework import serializers

    from tasks.tests.hardening.test_forms import FILTERSETS, FORM_CLASSES, _project_modules, _subclasses

    _project_modules()
    names = set(EXTRA_PARAMS) | _read_in_source()
    for form_class in FORM_CLASSES:
        names.update(form_class.base_fields)
    for filterset in FILTERSETS:
        names.update(filterset.base_filters)
    for serializer in _subclasses(serializers.Serializer):
        if serializer.__module__.startswith("tasks."):
            names.update(serializer().fields)
    for module in (task_forms, task_filters):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                names.update(value.base_fields)
    return sorted(names)


PARAMS = _form_fields()


def _patterns(resolver: URLResolver, namespace: str = ""):
    """(route name with namespace, pattern) of every named route; of the admin, its own pages (index, login,
    password change, autocomplete, view on site, an app's list), not each model's (``test_admin_...``)."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if namespace == "admin:":
                continue  # a model admin's pages
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _route_kwargs(entry: URLPattern) -> list[str]:
    return list(entry.pattern.regex.groupindex)  # path() converters and re_path() named groups alike


ROUTES = sorted({name: entry for name, entry in _patterns(get_resolver())}.items())

INTEGER_ARGS = {"pk", "year", "content_type_id"}

# Which object a route's id names: the first segment of its path.
OBJECT_OF = {
    "items": "item", "key-tasks": "key_task", "indicators": "indicator", "units": "unit", "evidence": "evidence",
    "extensions": "extension", "roundups": "roundup", "bulletins": "bulletin", "notices": "notice",
    "exports": "export",
}


def _object_key(entry: URLPattern) -> str | None:
    first = str(entry.pattern).split("/", 1)[0]
    return OBJECT_OF.get(first)


class Sweep:
    """The world the sweep runs in: one of every object a route can name, and its users."""

    def __init__(self):
        w = make_world()
        self.w = w
        today = w.today
        pending = WorkItem.objects.create(
            plan=w.plan, year=today.year, text="待审核", key_task=w.key_task,
            deadline=w.item.due_date, due_date=w.item.due_date)
        pending.assignments.create(unit=w.lead, role="lead")
        pdf = SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%hostile\n", content_type="application/pdf")
        work_item_request_close(item=pending, user=w.lead_user, note="完成", files=[pdf])
        overdue = WorkItem.objects.create(
            plan=w.plan, year=today.year, text="逾期事项", key_task=w.key_task,
            deadline=today - timedelta(days=40), due_date=today - timedelta(days=40))
        overdue.assignments.create(unit=w.lead, role="lead")
        extension = extension_request_create(item=w.item, user=w.lead_user, reason="理由",
                                             proposed_due_date=w.item.due_date + timedelta(days=30))
        last_month = today.replace(day=1) - timedelta(days=1)
        roundup, _ = roundup_generate(plan=w.plan, period=Period.month(last_month.year, last_month.month),
                                      today=today)
        bulletin = bulletin_for_roundup(roundup=roundup, actor=w.coordinator)
        (notice,) = notices_issue_for_items(items=[overdue], actor=w.coordinator, today=today)
        done = Export.objects.create(user=w.coordinator, kind=Export.Kind.OVERDUE, as_of=today, title="逾期事项",
                                     filename="逾期事项.xlsx")
        export_run(export_id=done.pk)
        queued = Export.objects.create(user=w.lead_user, kind=Export.Kind.UNIT_WORK, as_of=today, title="x",
                                       filename="x.xlsx")
        self.objects = {
            "item": [w.item, pending, overdue, w.other_item], "key_task": [w.key_task],
            "indicator": [w.indicator], "unit": [w.lead, w.other], "evidence": [Evidence.objects.get()],
            "extension": [extension], "roundup": [roundup], "bulletin": [bulletin], "notice": [notice],
            "export": [done, queued],
        }
        # Other plans' objects: each id is valid and names something the plan's users may not touch.
        foreign = WorkItem.objects.create(plan=w.other_plan, year=today.year, text="别的方案", deadline=today,
                                          due_date=today)
        foreign.assignments.create(unit=w.other, role="lead")
        self.foreign_ids = {"item": foreign.pk}
        superuser = get_user_model().objects.create_superuser("root", "root@example.gov.cn", "x")
        self.users = [None, w.lead_user, w.support_user, w.coordinator, w.other_coordinator, superuser]
        # Who gets every class of CLASSES on the routes they reach: the plan's coordinator and lead unit (the
        # forms of reviewing, documents and reporting); make fuzz adds the supporting unit.
        self.class_users = [w.coordinator, w.lead_user] + ([w.support_user] if LONG else [])

    def kwargs_for(self, entry: URLPattern, variant: int) -> list[dict]:
        """Path arguments for ``entry``: the real objects (variant 0), then hostile and foreign ones."""
        key = _object_key(entry)
        out = []
        names = _route_kwargs(entry)
        if not names:
            return [{}]
        if variant == 0:
            objects = self.objects.get(key, [None]) if "pk" in names else [None]
            for obj in objects:
                kwargs = {}
                for arg in names:
                    kwargs[arg] = self.real_arg(arg, obj)
                out.append(kwargs)
            return out
        for hostile in ("0", "9223372036854775807", "99999999999999999999", str(self.foreign_ids.get(key, 1))):
            kwargs = {}
            for arg in names:
                kwargs[arg] = hostile if arg in INTEGER_ARGS else self.hostile_str(arg, variant)
            out.append(kwargs)
        return out

    def real_arg(self, arg: str, obj):
        if arg == "pk":
            return obj.pk
        if arg == "slug":
            return self.w.plan.slug
        if arg == "year":
            return self.w.today.year
        if arg == "field":
            return "lead_unit"
        if arg == "token":
            return "set-password"
        if arg == "content_type_id":  # the admin's "view on site" link
            return ContentType.objects.get_for_model(WorkItem).pk
        if arg == "object_id":
            return self.w.item.pk
        if arg == "app_label":
            return "tasks"
        if arg == "period":  # the public 晾晒's period: last month's (a draft here: a 404 to everyone)
            return Period.last_ended("month", self.w.today).key
        if arg == "section":
            return "department_ranking"
        raise KeyError(arg)

    @staticmethod
    def hostile_str(arg: str, variant: int) -> str:
        return ["²", "no-such-thing", "%E4%B8%80", "a" * 300, "..", "lead_unit%00"][variant % 6]


# The tables a refused POST must leave as they were (their row counts, read in one statement).
COUNTED = (StatusChange, ProgressReport, ExtensionRequest, IndicatorReport, Plan, Unit, Roundup, Bulletin,
           SupervisionNotice, Evidence)


def _counts() -> tuple[int, ...]:
    return row_counts(COUNTED)


def _data(rotation: int) -> dict[str, str]:
    return {name: HOSTILE[(i * 7 + rotation) % len(HOSTILE)] for i, name in enumerate(PARAMS)}


def _path(entry_name: str, kwargs: dict) -> str | None:
    try:
        return reverse(entry_name, kwargs=kwargs)
    except Exception:  # a hostile argument the route's converter refuses: the resolver would 404 it
        return None


@pytest.fixture(scope="module")
def sweep_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The sweep's world, built once for the module's 127 tests (it was built for each): in a transaction
    rolled back after the module, each test in a savepoint of its own (``sweeps.built_once``). Its files
    (the evidence, the export) are in a folder of the module's."""
    media = tmp_path_factory.mktemp("sweep-media")
    with built_once(django_db_blocker, media):
        yield Sweep(), media


@pytest.fixture
def sweep(sweep_world, monkeypatch, settings):
    """A copy of the module's world for one test (what a test changes on its objects stays in its copy)."""
    return copy_for_test(*sweep_world, monkeypatch, settings)


def test_every_get_of_the_sweep_fits_the_query_string_limit(settings):
    """The sweep's GETs reach the views (a 414 would be a failure): their query strings, cut values and
    all, are within the limit for every rotation and every class pass."""
    datas = [_data(r) for r in range(len(HOSTILE) * 2)] + [_classes(r) for r in range(len(CLASSES))]
    longest = max(len(urlencode(_for_get(d))) for d in datas)
    assert longest <= settings.MAX_QUERY_STRING_BYTES, longest


def test_a_query_string_past_the_limit_is_refused_before_any_view(client, settings):
    """Every route, logged in as a superuser and logged out: a query string one byte past
    MAX_QUERY_STRING_BYTES (one 80,000-character value, then exactly limit + 1) is answered 414 by the
    middleware, with a short text page, and nothing written."""
    admin = get_user_model().objects.create_superuser("limit-admin", "limit@example.com", "x")
    limit = settings.MAX_QUERY_STRING_BYTES
    paths = [p for name, entry in ROUTES if (p := _path(name, {a: "1" if a in INTEGER_ARGS else "x"
                                                             for a in _route_kwargs(entry)}))]
    before = _counts()
    for user in (admin, None):
        client.logout()
        if user:
            client.force_login(user, backend=MODEL_BACKEND)
        for path in paths:
            for value in ("a" * 80_000, "a" * (limit - 1)):  # "q=" + value: 80,002 and limit + 1 bytes
                response = client.get(path, {"q": value})
                assert response.status_code == 414, (path, len(value))
                assert len(response.content) < 300
            assert client.get(path, {"q": "a" * (limit - 2)}).status_code != 414, path
    assert _counts() == before


def test_every_route_is_swept():
    """Every named route outside the admin is one this module can fill (its path arguments are known)."""
    unknown = []
    for name, entry in ROUTES:
        args = _route_kwargs(entry)
        if "pk" in args and _object_key(entry) is None:
            unknown.append(name)
        if set(args) - {*INTEGER_ARGS, "slug", "field", "token", "object_id", "app_label",
                             "period", "section"}:
            unknown.append(name)
    assert not unknown, f"routes the sweep cannot fill: {unknown}"
    assert len(ROUTES) >= 50  # the resolver walk found the site's routes, not an empty list


def _status(send, url: str, data: dict) -> int | str:
    """The response's status, or the exception the view raised (the test client re-raises it) by name."""
    try:
        return send(url, data).status_code
    except Exception as exc:  # every crash is a finding, reported with the others
        return f"{type(exc).__name__}: {str(exc)[:80]}"


# A GET's values are cut to this length, so that its query string fits MAX_QUERY_STRING_BYTES (which
# production's servers enforce too): past it the app answers 414 before any view reads a value
# (test_a_query_string_past_the_limit_is_refused_before_any_view); POSTs carry every value whole.
GET_VALUE_MAX = 200


def _for_get(data: dict[str, str]) -> dict[str, str]:
    """The values cut to ``GET_VALUE_MAX`` characters, and shorter where the project's forms have grown so many
    fields that the query string would pass ``MAX_QUERY_STRING_BYTES`` (a 414 reaches no view): the longest cut
    that fits, so every GET of the sweep reaches its view with every parameter."""
    from django.conf import settings as django_settings

    cut = GET_VALUE_MAX
    while True:
        get = {name: value[:cut] for name, value in data.items()}
        if cut <= 8 or len(urlencode(get)) <= django_settings.MAX_QUERY_STRING_BYTES:
            return get
        cut -= 8


def _request(client, method: str, path: str, data: dict) -> int | str:
    if method == "get":
        return _status(client.get, path, _for_get(data))
    files = {"files": SimpleUploadedFile("恶意.pdf", b"%PDF-1.4 x", "application/pdf"),
             "file": SimpleUploadedFile("plan.txt", "一、重点任务\n".encode(), "text/plain")}
    return _status(client.post, path, {**data, **files})


def _classes(rotation: int) -> dict[str, str]:
    """Every parameter a value of ``CLASSES``: over ``len(CLASSES)`` rotations, each parameter gets each one."""
    return {name: CLASSES[(i + rotation) % len(CLASSES)] for i, name in enumerate(PARAMS)}


def _send(client, user, method: str, path: str, data: dict, failures: list) -> int | str:
    before = _counts() if method == "post" else None  # only a refused POST is compared
    status = _request(client, method, path, data)
    if status not in OK:
        failures.append((user and user.username, method, path[:120], status))
    elif method == "post" and 400 <= status < 500 and _counts() != before:
        failures.append((user and user.username, method, path[:120], status, "wrote on refusal"))
    return status


@pytest.mark.parametrize("name", [name for name, _e in ROUTES])
def test_route_with_hostile_input(name, sweep, client):
    """Each user, each route (its real objects, then hostile and foreign ids) with the parameters hostile;
    then, for each user the route lets in (a page or a form for its real object), every class of ``CLASSES``
    in every parameter."""
    entry = dict(ROUTES)[name]
    failures = []
    reached = []
    for u, user in enumerate(sweep.users):
        client.logout()
        if user is not None:
            client.force_login(user, backend=MODEL_BACKEND)
        for variant in range(ROTATIONS):
            for kwargs in sweep.kwargs_for(entry, variant):
                path = _path(name, kwargs)
                if path is None:
                    continue
                for method in ("get", "post"):
                    status = _send(client, user, method, path, _data(variant * 11 + u), failures)
                    if (variant == 0 and user in sweep.class_users and status in (200, 302)
                            and user not in dict(reached)):
                        reached.append((user, path))
    # CI: each of the two users gets half the classes in every parameter, the other half to the other
    # user; make fuzz: every class to every user.
    passes = len(CLASSES) if LONG else (len(CLASSES) + 1) // 2
    for k, (user, path) in enumerate(reached):
        client.force_login(user, backend=MODEL_BACKEND)
        for rotation in range(passes):
            for method in ("get", "post"):
                _send(client, user, method, path, _classes(rotation + k * passes), failures)
    assert not failures, failures


# ---- the admin ------------------------------------------------------------------------------------------


def _admin_registry():
    from django.contrib import admin

    return sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)


def _admin_params(model_admin, request) -> list[str]:
    """Every query parameter the model's change list reads: search, order, page, and each filter's own."""
    from django.contrib.admin.views.main import ALL_VAR, ORDER_VAR, PAGE_VAR, SEARCH_VAR

    names = [SEARCH_VAR, ORDER_VAR, PAGE_VAR, ALL_VAR, "_changelist_filters", "_to_field", "_popup", "e"]
    changelist = model_admin.get_changelist_instance(request)
    for spec in changelist.filter_specs:
        names.extend(spec.expected_parameters())
    hierarchy = model_admin.get_date_hierarchy(request) if hasattr(model_admin, "get_date_hierarchy") else \
        model_admin.date_hierarchy
    if hierarchy:
        names += [f"{hierarchy}__year", f"{hierarchy}__month", f"{hierarchy}__day"]
    # A field the admin lets a hand-made query string filter by ("?key_task=…" beside the filter's own
    # "key_task__id__exact").
    names += [f.name for f in model_admin.model._meta.fields
              if f.name not in names and model_admin.lookup_allowed(f.name, "1", request)]
    return names


def _staff_coordinator(w):
    from django.contrib.auth.models import Permission

    w.coordinator.is_staff = True
    w.coordinator.save(update_fields=["is_staff"])
    w.coordinator.user_permissions.set(Permission.objects.filter(content_type__app_label="tasks"))
    return get_user_model().objects.get(pk=w.coordinator.pk)  # no cached permissions


@pytest.mark.parametrize("label", [model._meta.label for model, _a in _admin_registry()])
def test_admin_with_hostile_input(label, sweep, client, rf):
    """Each admin page of each model (list with every filter, search, order and page set to hostile values;
    each action on hostile selections; the add and change forms posted with every field hostile; change,
    history and delete of a real row and of hostile ids;
    the model's own extra pages) as a superuser and as a staff coordinator scoped to their plan."""
    model, model_admin = next((m, a) for m, a in _admin_registry() if m._meta.label == label)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    superuser = sweep.users[-1]
    request = rf.get("/")
    request.user = superuser
    params = _admin_params(model_admin, request)
    actions = [name for name in model_admin.get_actions(request)]
    row = model_admin.get_queryset(request).order_by("pk").first()
    ids = ["²", "99999999999999999999", "0", "-1", "%00"] + ([str(row.pk)] if row else [])
    extra = [entry.name for entry in model_admin.get_urls() if entry.name and not entry.name.endswith(
        ("_changelist", "_add", "_history", "_delete", "_change"))]
    # The add and change forms' own fields (the list's parameters above are not theirs).
    fields = sorted(set(model_admin.get_form(request, None).base_fields)
                    | (set(model_admin.get_form(request, row).base_fields) if row else set()))
    failures = []
    for u, user in enumerate([superuser, _staff_coordinator(sweep.w)]):
        client.force_login(user, backend=MODEL_BACKEND)
        for rotation in range(ROTATIONS * 2):
            data = {name: HOSTILE[(i * 5 + rotation + u) % len(HOSTILE)] for i, name in enumerate(params)}
            urls = [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
            urls += [reverse(f"admin:{name}") for name in extra]
            for method in ("get", "post"):
                for url in urls:
                    before = _counts() if method == "post" else None  # only a refused POST is compared
                    status = _status(getattr(client, method), url, _for_get(data) if method == "get" else data)
                    if status not in OK:
                        failures.append((user.username, method, url, status))
                    elif method == "post" and 400 <= status < 500 and _counts() != before:
                        failures.append((user.username, method, url, status, "wrote on refusal"))
            form = {name: HOSTILE[(i * 3 + rotation + u) % len(HOSTILE)] for i, name in enumerate(fields)}
            for url in [reverse(f"{prefix}_add")] + ([reverse(f"{prefix}_change", args=[row.pk])] if row else []):
                status = _status(client.post, url, form)
                if status not in OK:
                    failures.append((user.username, "post form", url, status))
            for action in actions:
                status = _status(client.post, reverse(f"{prefix}_changelist"), {
                    "action": action, "index": "0", "_selected_action": [ids[rotation % len(ids)], *ids[-1:]],
                })
                if status not in OK:
                    failures.append((user.username, "action", action, status))
        if u == 0:  # each list parameter alone with each class (one refused parameter would hide the others);
            # in CI, half the classes to each parameter, the other half to the next
            for i, name in enumerate(params):
                for value in CLASSES if LONG else [CLASSES[(i + k) % len(CLASSES)] for k in range(len(CLASSES) // 2)]:
                    status = _status(client.get, reverse(f"{prefix}_changelist"), _for_get({name: value}))
                    if status not in OK:
                        failures.append((user.username, "get", name, repr(value)[:20], status))
        sources = [(model, model_admin), *((i.model, i) for i in model_admin.get_inline_instances(request))]
        for source, source_admin in sources:  # each autocomplete of the page and its inlines, each class as term
            for field_name, value in ((f, v) for f in source_admin.get_autocomplete_fields(request) for v in CLASSES):
                status = _status(client.get, reverse("admin:autocomplete"), _for_get({
                    "app_label": source._meta.app_label, "model_name": source._meta.model_name,
                    "field_name": field_name, "term": value}))
                if status not in OK:
                    failures.append((user.username, "autocomplete", field_name, repr(value)[:20], status))
        for pk in ids:
            for view in ("change", "history", "delete"):
                url = reverse(f"{prefix}_{view}", args=[pk])
                status = _status(client.get, url, {})
                if status not in OK:
                    failures.append((user.username, "get", url, status))
    assert not failures, failures


# ---- headers and cookies --------------------------------------------------------------------------------

HOSTILE_HEADERS = [
    {"HTTP_ACCEPT_LANGUAGE": "²;q=abc, zh-hans;q=NaN, *;q=-1"},
    {"HTTP_ACCEPT_LANGUAGE": "a" * 5000},
    {"HTTP_X_FORWARDED_FOR": "not-an-ip, \x00"},
    {"REMOTE_ADDR": "999.1.1.1"},
    {"HTTP_REFERER": "javascript:alert(1)"},
    {"HTTP_USER_AGENT": "\x00" * 10},
    {"HTTP_HOST": "evil.example.com"},
    {"HTTP_IF_MODIFIED_SINCE": "²"},
    {"HTTP_RANGE": "bytes=99999999999999999999-"},
    {"CONTENT_TYPE": "multipart/form-data; boundary=²"},
]


@pytest.mark.parametrize("headers", HOSTILE_HEADERS, ids=lambda h: next(iter(h)))
def test_hostile_headers_and_cookies(headers, sweep, client):
    """Request headers and cookies (language, CSRF token) a client controls: a page, a refusal or a
    redirect, never a 500, on the pages and entry points every visitor reaches."""
    w = sweep.w
    urls = ["/", "/overdue/", "/review/", "/en/", "/api/v1/plans/", "/accounts/login/", "/admin/", "/healthz/",
            w.item.get_absolute_url()]
    failures = []
    for user in (None, w.lead_user, w.coordinator):
        client.logout()
        if user is not None:
            client.force_login(user, backend=MODEL_BACKEND)
        for cookie in ("\x00", "²", "a" * 5000):
            client.cookies["django_language"] = cookie
            client.cookies["csrftoken"] = cookie
            for url in urls:
                for send in (client.get, client.post):
                    status = _status(lambda u, d, send=send: send(u, d, **headers), url, {"note": "x"})
                    if status not in OK | {304, 416}:
                        failures.append((user and user.username, send.__name__, url, status))
    assert not failures, failures
