"""Reads compiled to SQL once per shape, then run with each call's ids.

Building a queryset's expressions and compiling them costs milliseconds of Python: most of a page's
time at province scale, and a roundup's for each of 630 plans. The SQL of a read differs between calls
only in a few ids (the user's unit, a plan). ``precompiled`` builds and compiles a read once per process
for each *shape* (the other arguments), with stand-in ids, and runs that SQL with each call's own ids;
Django still turns the rows into model instances (select_related, annotations, converters).

Before a shape is kept it is compiled twice, with two sets of stand-ins: the SQL must be the same and
the parameters must differ exactly where the stand-ins are. A build that used an id for anything but a
value compared in SQL (arithmetic, a string, a branch) fails that check with ``NotPrecompilable``.

The contract for ``build(**ids, **shape)``: it returns a QuerySet (model instances, ``values()`` or
``values_list()``) and reads nothing but its arguments: no clock, no database, no translation. What
else shapes the SQL (a date, a unit's kind, a limit) is a hashable argument of the shape.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, Field, ForeignObject, Lookup, Model, OrderBy, Q, QuerySet
from django.utils import timezone, translation

# Two sets of stand-in ids: values no real row has (ids are positive), far apart.
_STAND_INS = (-7_012_345_601, -8_023_456_700)  # one odd, one even: a branch on parity shows
# What a compiled statement leaves on its compiler for the iterables to turn rows into objects.
_COMPILER_STATE = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")


class IdArray(list):
    """A set of ids bound as one SQL parameter (``field__among=``): the statement is the same for one id or
    a thousand, so a read scoped to a coordinator's plans is compiled once for every coordinator (an id of
    ``precompiled``), not once per set of plans."""


sqlite3.register_adapter(IdArray, lambda ids: json.dumps(list(ids)))


class Among(Lookup):
    """``field__among=ids``: the field's value is one of ``ids`` (any iterable of ints), as one parameter:
    ``= ANY(%s)`` (an array) on PostgreSQL, ``IN (SELECT value FROM json_each(%s))`` on SQLite.

    On PostgreSQL ``IN (1, 2, 3)`` is planned as ``= ANY('{1,2,3}')``, so plans stay the same."""

    lookup_name = "among"
    prepare_rhs = False

    def get_prep_lookup(self):
        return IdArray(int(v) for v in self.rhs)

    def get_db_prep_lookup(self, value, connection):
        return "%s", [value]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY({rhs}::bigint[])", (*lhs_params, *rhs_params)
        return f"{lhs} IN (SELECT value FROM json_each({rhs}))", (*lhs_params, *rhs_params)


class AmongText(Lookup):
    """``field__among_text=values``: ``Among`` for texts (addresses, keys) and UUIDs, as one array parameter on
    PostgreSQL (``= ANY(%s::text[])``, compared as the field's type); ``IN`` elsewhere. An ``IN`` list of a
    hundred addresses was a hundred placeholders, compiled by Django and parsed by the driver per statement
    (a digest task asks four such)."""

    lookup_name = "among_text"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        if connection.vendor == "postgresql":
            element = "uuid" if field.db_type(connection) == "uuid" else "text"
            return f"{lhs} = ANY(%s::{element}[])", (*lhs_params, [str(v) for v in self.rhs])
        values = [field.get_db_prep_value(v, connection, prepared=False) for v in self.rhs]
        if not values:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*lhs_params, *values)


def register_lookups() -> None:
    Field.register_lookup(Among)
    Field.register_lookup(AmongText)
    ForeignObject.register_lookup(Among)  # a relation's lookups stop at ForeignObject: ``plan__among=``


class NotPrecompilable(Exception):
    """``build`` uses an id for more than a value compared in SQL (see the module's contract)."""


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple  # the first compile's, stand-ins included
    slots: tuple[tuple[int, str], ...]  # (position in params, id name)
    state: dict  # the compiler's _COMPILER_STATE after compiling
    queryset: QuerySet | None  # the first build (stand-in ids); None if it can match no row

    def params_for(self, ids: dict[str, int]) -> list:
        params = list(self.params)
        for position, name in self.slots:
            params[position] = ids[name]
        return params


_cache: dict[tuple, Compiled] = {}
_seen: set[tuple] = set()  # shapes met once: a shape is compiled for keeps when it comes again
_lock = threading.Lock()
CACHE_SIZE = 1024  # shapes kept per process; a full cache is emptied (shapes are few: pages, options, filters)
# Tests set this: every read is compiled for keeps at once, and each run is checked against a fresh compile
# with the real ids (the same SQL and parameters), so the whole suite checks the technique.
CHECK = False


def _compile(queryset: QuerySet) -> tuple[str, tuple, dict] | None:
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    return sql, tuple(params), {name: getattr(compiler, name) for name in _COMPILER_STATE}


def compile_shape(build: Callable[..., QuerySet], ids: dict[str, int], shape: dict) -> Compiled:
    """Build and compile ``build`` for ``shape`` with stand-in ids (twice, to check the contract)."""
    names = sorted(ids)
    arrays = {n for n in names if type(ids[n]) is IdArray}

    def stand_ins(k: int) -> dict:  # an id set: one stand-in, then the same twice (its length must not matter)
        return {n: IdArray([_STAND_INS[k] - i] * (k + 1)) if n in arrays else _STAND_INS[k] - i
                for i, n in enumerate(names)}

    builds = [build(**stand_ins(k), **shape) for k in range(2)]
    first, second = (_compile(qs) for qs in builds)
    if first is None or second is None:
        if (first is None) != (second is None):
            raise NotPrecompilable(f"{build.__qualname__}: whether it can match a row depends on an id")
        return Compiled("", (), (), {}, None)
    if first[0] != second[0]:
        raise NotPrecompilable(f"{build.__qualname__}: an id changes the SQL text, not only a parameter")
    if len(first[1]) != len(second[1]):
        raise NotPrecompilable(f"{build.__qualname__}: an id changes the number of parameters")
    by_value = [{_STAND_INS[k] - i: n for i, n in enumerate(names)} for k in range(2)]
    slots = []
    for position, (a, b) in enumerate(zip(first[1], second[1], strict=True)):
        is_set = type(a) is IdArray and type(b) is IdArray and len(a) == 1 and len(b) == 2 and b[0] == b[1]
        if is_set:
            a, b = a[0], b[0]  # an id set: its stand-in
        name = by_value[0].get(a) if type(a) is int else None
        if name is not None and (name in arrays) != is_set:
            raise NotPrecompilable(f"{build.__qualname__}: parameter {position} is one of a set of ids, not the set")
        if name is None and (type(b) is not int or b not in by_value[1]) and a == b:
            continue
        if name is None or by_value[1].get(b) != name:
            raise NotPrecompilable(f"{build.__qualname__}: parameter {position} is derived from an id ({a!r})")
        slots.append((position, name))
    missing = set(names) - {n for _p, n in slots}
    if missing:
        raise NotPrecompilable(f"{build.__qualname__}: {sorted(missing)} not in the SQL")
    return Compiled(first[0], first[1], tuple(slots), first[2], builds[0])


def compiled(build: Callable[..., QuerySet], /, *, ids: dict[str, int], using: str = DEFAULT_DB_ALIAS,
             **shape) -> Compiled | None:
    """The ``Compiled`` statement of ``build`` for ``shape``: None the first time a shape is met (the caller
    builds it as usual), compiled and kept from the second."""
    connection = connections[using]
    # The active time zone (TruncDate) and language are part of what a build may read.
    key = (build, tuple(sorted((n, type(v) is IdArray) for n, v in ids.items())), tuple(sorted(shape.items())),
           using, connection.vendor,
           timezone.get_current_timezone_name(), translation.get_language())
    entry = _cache.get(key)
    if entry is None:
        if not CHECK and key not in _seen:
            with _lock:
                if len(_seen) >= CACHE_SIZE:
                    _seen.clear()
                _seen.add(key)
            return None
        entry = compile_shape(build, ids, shape)
        with _lock:
            if len(_cache) >= CACHE_SIZE:
                _cache.clear()
            _cache[key] = entry
    return entry


def _check(entry: Compiled, build: Callable[..., QuerySet], ids: dict[str, int], shape: dict) -> None:
    fresh = _compile(build(**ids, **shape))
    kept = None if entry.queryset is None else (entry.sql, tuple(entry.params_for(ids)))
    if (fresh and fresh[:2]) != kept:
        raise AssertionError(f"{build.__qualname__}: the kept statement differs from a fresh compile\n"
                             f"kept:  {kept}\nfresh: {fresh and fresh[:2]}")


def precompiled(build: Callable[..., QuerySet], /, *, ids: dict[str, int], **shape) -> list:
    """``list(build(**ids, **shape))``, with the SQL compiled once per shape (see the module)."""
    entry = compiled(build, ids=ids, **shape)
    if entry is None:
        return list(build(**ids, **shape))
    if CHECK:
        _check(entry, build, ids, shape)
    if entry.queryset is None:
        return []
    return _run(entry, entry.params_for(ids))


def precompiled_count(build: Callable[..., QuerySet], /, *, ids: dict[str, int], **shape) -> int:
    """``build(**ids, **shape).count()``, from the statement compiled once per shape: the rows' ids counted
    (``SELECT COUNT(*) FROM (...)``: the planner flattens it)."""
    entry = compiled(_ids_of, ids=ids, of=build, **shape)
    if entry is None:
        return build(**ids, **shape).count()
    if CHECK:
        _check(entry, _ids_of, ids, {"of": build, **shape})
    if entry.queryset is None:
        return 0
    with connections[entry.queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({entry.sql}) _counted", entry.params_for(ids))
        return cursor.fetchone()[0]


def _ids_of(*, of: Callable[..., QuerySet], **arguments) -> QuerySet:
    queryset = of(**arguments)
    return (queryset if queryset.query.is_sliced else queryset.order_by()).values("pk")


def _run(entry: Compiled, params: list) -> list:
    template = entry.queryset
    queryset = object.__new__(type(template))  # (copy.copy would run the template: QuerySet.__getstate__)
    queryset.__dict__.update(template.__dict__, _result_cache=None, _prefetch_done=False)
    query = queryset._query = copy.copy(template._query)
    make_compiler = type(query).get_compiler

    def get_compiler(using=None, connection=None, elements_of=None):
        compiler = make_compiler(query, using, connection, elements_of)
        compiler.__dict__.update(entry.state)
        compiler.as_sql = lambda with_limits=True, with_col_aliases=False: (entry.sql, params)
        return compiler

    query.get_compiler = get_compiler
    return list(queryset)


def forget_compiled() -> None:
    """Drop every compiled shape (tests that change models or settings mid-process)."""
    with _lock:
        _cache.clear()
        _seen.clear()


# ---- recipes: querysets that stay a recipe while tables and filters order, filter and slice them --------------


class _Unkeyable(Exception):
    pass


_PLAIN = (str, int, float, bool, date, Decimal, type(None))


def _key(value):
    """A hashable, comparable stand-in for an argument of a queryset call; ``_Unkeyable`` for anything
    that is not plain data (a queryset, an arbitrary expression): such a call builds the queryset."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, list | tuple):
        return tuple(_key(v) for v in value)
    if isinstance(value, Q):
        return (Q, value.connector, value.negated, tuple(_key(c) for c in value.children))
    if isinstance(value, F):
        return (F, value.name)
    if isinstance(value, OrderBy) and type(value.expression) is F:
        return (OrderBy, value.expression.name, value.descending, value.nulls_first, value.nulls_last)
    if isinstance(value, Recipe) and value._recipe is not None and not value._recipe[1]:
        build, _ids, shape, ops = value._recipe  # a recipe of no ids is plain data (a subquery)
        return (Recipe, build, tuple(sorted(shape.items())), ops)
    if isinstance(value, Model) and value.pk is not None:
        return (value._meta.label, value.pk)
    raise _Unkeyable(type(value).__name__)


_OP_ID = "_op"  # prefix of the ids a ``filter_with_ids`` step adds to its recipe


def _replay(*, build: Callable[..., QuerySet], ops: tuple, **arguments) -> QuerySet:
    op_ids = {name: arguments.pop(name) for name in [n for n in arguments if n.startswith(_OP_ID)]}
    queryset = build(**arguments)
    for name, args, kwargs, _k in ops:
        if name == "slice":
            queryset = queryset[args[0]:args[1]]
        elif name == "filter_with_ids":
            condition, names = args
            queryset = queryset.filter(condition(**{param: op_ids[key] for param, key in names}))
        elif name in ("filter_rows", "exclude_rows"):
            positional, plain, rows = args
            rows = {k: model(pk=op_ids[key]) for k, (key, model) in rows.items()}
            queryset = getattr(queryset, name.removesuffix("_rows"))(*positional, **plain, **rows)
        else:
            queryset = getattr(queryset, name)(*args, **kwargs)
    return queryset


def _op_id(ops: tuple, param: str) -> str:
    """The name a step's id takes among its recipe's ids (by the step's position: the same for every call)."""
    return f"{_OP_ID}{len(ops)}_{param}"


def _then(queryset: Recipe, ids: dict, op: tuple) -> Recipe:
    """A copy of ``queryset``'s recipe with ``ids`` and the step ``op`` (method, args, kwargs, key) added."""
    build, _ids, shape, ops = queryset._recipe
    clone = Recipe(model=queryset.model, using=queryset._db, hints=queryset._hints)
    clone._recipe = (build, ids, shape, (*ops, _Op(op)))
    return clone


def filter_with_ids(queryset: QuerySet, condition: Callable[..., Q], /, **ids: int) -> QuerySet:
    """``queryset.filter(condition(**ids))``; on a ``Recipe``, ``ids`` are ids of its statement (parameters),
    not of its shape: a list filtered by any of a province's 20,000 units is one compiled statement, not one
    per unit. ``condition`` keeps the module's contract for ``build``."""
    if not isinstance(queryset, Recipe) or queryset._recipe is None or queryset._result_cache is not None:
        return queryset.filter(condition(**ids))
    _build, recipe_ids, _shape, ops = queryset._recipe
    names = tuple((param, _op_id(ops, param)) for param in sorted(ids))
    return _then(queryset, {**recipe_ids, **{key: ids[param] for param, key in names}},
                 ("filter_with_ids", (condition, names), {}, ("filter_with_ids", condition, names)))


class _Op(tuple):
    """(method, args, kwargs, key): compared and hashed by its key only."""

    def __eq__(self, other):
        return isinstance(other, _Op) and self[3] == other[3]

    def __hash__(self):
        return hash(self[3])


class Recipe(QuerySet):
    """A queryset kept as a recipe: ``build(**ids, **shape)`` and the calls made on it since (filter, exclude,
    order_by, distinct, values_list, slicing, with plain-data arguments; a row given to filter or exclude, e.g.
    ``filter(key_task=<KeyTask>)``, becomes an id of the statement, not part of its shape). Reading or
    counting it runs the statement compiled once per recipe (``precompiled``); anything else builds the
    queryset, and from then on it is an ordinary one. Made by ``recipe()``."""

    _recipe: tuple | None = None  # (build, ids, shape, ops)

    @property
    def query(self):
        if self._recipe is not None:
            build, ids, shape, ops = self._recipe
            self._recipe = None
            built = _replay(build=build, ops=ops, **ids, **shape)
            self._query = built.query
            self._prefetch_related_lookups = built._prefetch_related_lookups
            self._iterable_class, self._fields = built._iterable_class, built._fields  # values_list
        return QuerySet.query.fget(self)

    @query.setter
    def query(self, value):
        QuerySet.query.fset(self, value)

    def _with(self, name: str, args: tuple, kwargs: dict):
        _build, ids, _shape, ops = self._recipe
        rows = {k: v for k, v in kwargs.items() if isinstance(v, Model) and type(v.pk) is int}
        try:
            if name in ("filter", "exclude") and rows:
                # ``filter(key_task=<KeyTask 5>)``: the row's id is an id of the statement (a parameter), not
                # of its shape, so a list filtered by any of a province's key tasks or units is one statement.
                plain = {k: v for k, v in kwargs.items() if k not in rows}
                named = {k: (_op_id(ops, k), type(v)) for k, v in rows.items()}
                key = (f"{name}_rows", _key(args), tuple(sorted((k, _key(v)) for k, v in plain.items())),
                       tuple(sorted((k, model._meta.label) for k, (_n, model) in named.items())))
                ids = {**ids, **{named[k][0]: v.pk for k, v in rows.items()}}
                name, args, kwargs = f"{name}_rows", (args, plain, named), {}
            else:
                key = (name, _key(args), tuple(sorted((k, _key(v)) for k, v in kwargs.items())))
        except _Unkeyable:
            return getattr(super(), name)(*args, **kwargs) if name != "slice" else super().__getitem__(
                slice(*args))
        return _then(self, ids, (name, args, kwargs, key))

    def all(self):
        return self._with("all", (), {}) if self._recipe is not None and self._result_cache is None else super().all()

    def filter(self, *args, **kwargs):
        return self._with("filter", args, kwargs) if self._recipe is not None else super().filter(*args, **kwargs)

    def exclude(self, *args, **kwargs):
        return self._with("exclude", args, kwargs) if self._recipe is not None else super().exclude(*args, **kwargs)

    def order_by(self, *fields):
        return self._with("order_by", fields, {}) if self._recipe is not None else super().order_by(*fields)

    def distinct(self, *fields):
        return self._with("distinct", fields, {}) if self._recipe is not None else super().distinct(*fields)

    def values_list(self, *fields, flat=False, named=False):
        if self._recipe is None:
            return super().values_list(*fields, flat=flat, named=named)
        return self._with("values_list", fields, {"flat": flat, "named": named})

    def iterator(self, chunk_size=None):
        """Rows streamed (``QuerySet.iterator``) from the queryset built with the real ids: a stream is read
        once, so there is no compiled statement to share. Built first, so its prefetches and row kind hold."""
        self.query  # noqa: B018 (the property builds the recipe into an ordinary queryset)
        return super().iterator(chunk_size=chunk_size)

    def __getitem__(self, k):
        if (self._recipe is not None and self._result_cache is None and isinstance(k, slice) and k.step is None
                and all(v is None or (isinstance(v, int) and v >= 0) for v in (k.start, k.stop))):
            return self._with("slice", (k.start, k.stop), {})
        return super().__getitem__(k)

    def shape_query(self):
        """The recipe's query as built for its shape (stand-in ids): to read its ordering or model, never
        to run or change."""
        if self._recipe is None:
            return self.query
        build, ids, shape, ops = self._recipe
        entry = compiled(_replay, ids=ids, build=build, ops=ops, **shape)
        if entry is None or entry.queryset is None:
            stand_ins = {n: IdArray([-1]) if type(v) is IdArray else -1 for n, v in ids.items()}
            return _replay(build=build, ops=ops, **stand_ins, **shape).query
        return entry.queryset.query

    @property
    def ordered(self):
        """``QuerySet.ordered`` (a Paginator asks), read from the shape's query: the recipe stays a recipe."""
        if self._recipe is None:
            return QuerySet.ordered.fget(self)
        query = self.shape_query()
        return bool(query.extra_order_by or query.order_by or (
            query.default_ordering and query.get_meta().ordering and not query.group_by))

    def count(self):
        if self._recipe is None or self._result_cache is not None:
            return super().count()
        build, ids, shape, ops = self._recipe
        return precompiled_count(_replay, ids=ids, build=build, ops=ops, **shape)

    def _fetch_all(self):
        if self._result_cache is None and self._recipe is not None:
            build, ids, shape, ops = self._recipe
            self._result_cache = precompiled(_replay, ids=ids, build=build, ops=ops, **shape)
            self._prefetch_done = True
        super()._fetch_all()


def recipe(build: Callable[..., QuerySet], *, model: type[Model], ids: dict[str, int], **shape) -> Recipe:
    """``build(**ids, **shape)`` as a ``Recipe`` (see there; ``build`` keeps the module's contract)."""
    queryset = Recipe(model=model)
    queryset._recipe = (build, ids, shape, ())
    return queryset
