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
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils import timezone, translation

# Two sets of stand-in ids: values no real row has (ids are positive), far apart.
_STAND_INS = (-7_012_345_601, -8_023_456_700)  # one odd, one even: a branch on parity shows
# What a compiled statement leaves on its compiler for the iterables to turn rows into objects.
_COMPILER_STATE = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")


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
_lock = threading.Lock()
CACHE_SIZE = 512  # shapes kept per process; a full cache is emptied (shapes are few: pages, options)


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
    builds = [build(**{n: stand_in - i for i, n in enumerate(names)}, **shape) for stand_in in _STAND_INS]
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
        name = by_value[0].get(a) if type(a) is int else None
        if name is None and (type(b) is not int or b not in by_value[1]) and a == b:
            continue
        if name is None or by_value[1].get(b) != name:
            raise NotPrecompilable(f"{build.__qualname__}: parameter {position} is derived from an id ({a!r})")
        slots.append((position, name))
    missing = set(names) - {n for _p, n in slots}
    if missing:
        raise NotPrecompilable(f"{build.__qualname__}: {sorted(missing)} not in the SQL")
    return Compiled(first[0], first[1], tuple(slots), first[2], builds[0])


def compiled(build: Callable[..., QuerySet], *, ids: dict[str, int], using: str = DEFAULT_DB_ALIAS,
             **shape) -> Compiled:
    """The ``Compiled`` statement of ``build`` for ``shape`` (compiled on first use in this process)."""
    connection = connections[using]
    # The active time zone (TruncDate) and language are part of what a build may read.
    key = (build, tuple(sorted(ids)), tuple(sorted(shape.items())), using, connection.vendor,
           timezone.get_current_timezone_name(), translation.get_language())
    entry = _cache.get(key)
    if entry is None:
        entry = compile_shape(build, ids, shape)
        with _lock:
            if len(_cache) >= CACHE_SIZE:
                _cache.clear()
            _cache[key] = entry
    return entry


def precompiled(build: Callable[..., QuerySet], *, ids: dict[str, int], **shape) -> list:
    """``list(build(**ids, **shape))``, with the SQL compiled once per shape (see the module)."""
    entry = compiled(build, ids=ids, **shape)
    if entry.queryset is None:
        return []
    params = entry.params_for(ids)
    queryset = copy.copy(entry.queryset)  # a fresh result cache around the same built query
    queryset._result_cache = None
    queryset._prefetch_done = False
    query = queryset._query = copy.copy(entry.queryset.query)
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
