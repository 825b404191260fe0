"""Admin pages of a plan's rows, searched and filtered at a province's size. Which rows each user reaches
is every model admin's rule (``tasks.owners``: ``HousingAdminSite.register`` gives each ``OwnerScoped``).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from tasks.inputs import parse_id, text_lookup
from tasks.owners import OwnerScoped, acts_on_all, owner_of
from tasks.selectors.permissions import reviewable_plans
from tasks.selectors.roundups import without_jit


def search_words(term: str) -> list[str]:
    """The admin search box's words, a quoted phrase as one (as Django's own search reads them)."""
    words = []
    for bit in smart_split(term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            words.append(bit)
    return words


_PREFIXES = {"^": "istartswith", "=": "iexact"}


def matching(model, path: str, word: str) -> Q:
    """Rows of ``model`` whose ``path`` (a search field: "text", "work_item__text", "units__name") contains
    ``word``. Across a relation, the related rows are matched in their own table and the rows read by key
    (``work_item_id IN (…)``, ``pk IN (…)``): a join would read every row against its related one, and
    many-valued ones need a DISTINCT (a province's 1.7 million status changes: 4 s a statement)."""
    lookup = text_lookup(word, _PREFIXES.get(path[:1], "icontains"))
    path = path.lstrip("^=")
    head, _sep, rest = path.partition("__")
    if not rest:
        return Q(**{f"{head}__{lookup}": word})
    field = model._meta.get_field(head)
    related = field.related_model
    if field.many_to_one or field.one_to_one and field.concrete:
        return Q(**{f"{field.attname}__in": related._default_manager.filter(matching(related, rest, word))
                    .values("pk")})
    if field.one_to_many or field.one_to_one:  # a reverse foreign key ("aliases__name")
        return Q(pk__in=related._default_manager.filter(matching(related, rest, word)).values(field.field.attname))
    # Many to many ("units__name"): the through table's rows whose other end matches.
    m2m = field if field.concrete else field.remote_field
    through = m2m.remote_field.through
    own, other = (m2m.m2m_field_name(), m2m.m2m_reverse_field_name()) if field.concrete else \
        (m2m.m2m_reverse_field_name(), m2m.m2m_field_name())
    others = related._default_manager.filter(matching(related, rest, word)).values("pk")
    return Q(pk__in=through._default_manager.filter(**{f"{other}__in": others}).values(f"{own}_id"))


class SortableOnlyChangeList(ChangeList):
    """A change list that sorts only by ``sortable_by`` (Django leaves the other headers unlinked but still
    sorts by any column a hand-made ``?o=`` names)."""

    def get_ordering_field(self, field_name):
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


ESTIMATE_ABOVE = 100_000  # rows: a list of a table this large, unfiltered, shows the planner's estimate


def estimated_rows(qs: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows of ``qs``'s table (``pg_class.reltuples``, kept by autovacuum's
    ANALYZE) when ``qs`` reads every row of it: no filter, no DISTINCT, no slice, no UNION. None otherwise,
    or when the table was never analyzed."""
    query = qs.query
    if (connections[qs.db].vendor != "postgresql" or query.where or query.distinct or query.is_sliced
            or query.combinator):
        return None
    with connections[qs.db].cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [qs.model._meta.db_table])
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    """The admin's paginator, counting rows as Django's does except a whole large table: an unfiltered
    list of a province's work items or status changes (millions) takes PostgreSQL's estimate instead of
    reading every row for ``COUNT(*)`` on every page (``estimated`` is then True; the page says "约")."""

    estimated = False

    @cached_property
    def count(self) -> int:
        estimate = estimated_rows(self.object_list)
        if estimate is not None and estimate >= ESTIMATE_ABOVE:
            self.estimated = True
            return estimate
        return super().count


class IndexedSearch:
    """A model admin mixin: ``search_fields`` searched per word (all words, each in any field) by
    ``matching``, never by a join, so never with DISTINCT, and without JIT; and no count of every row beside
    each search's (``show_full_result_count``) or per filter choice (``show_facets``); sorted only by
    ``sortable_by`` when it is set; a whole large table's rows estimated, not counted
    (``EstimatedCountPaginator``)."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # No "show counts" link: it counts every filter choice over every row listed (a province's status
    # changes: minutes).
    show_facets = admin.ShowFacets.NEVER

    def get_changelist(self, request, **kwargs):
        return SortableOnlyChangeList

    def changelist_view(self, request, extra_context=None):
        if not request.GET.get(SEARCH_VAR):
            return super().changelist_view(request, extra_context)
        # A search reads a province's texts (no index serves '%word%'): PostgreSQL estimates a cost past
        # jit_above_cost and compiled each statement for ~0.4 s of a 1.6 s one (status changes at 1M).
        with without_jit():
            return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        for word in search_words(search_term):
            any_field = Q()
            for path in self.get_search_fields(request):
                any_field |= matching(self.model, path, word)
            queryset = queryset.filter(any_field)
        return queryset, False


class PlanScopedAdmin(OwnerScoped, IndexedSearch, admin.ModelAdmin):
    """A plan's rows (scoped by ``OWNERS``, as every admin), searched by ``IndexedSearch``."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if owner_of(self.model).plan == "pk" and not change and not acts_on_all(request.user):
            # A coordinator who adds a plan coordinates it, or it would vanish from their admin at once.
            form.instance.coordinators.add(request.user)


class ReadOnlyRecordAdmin(PlanScopedAdmin):
    """A plan's records (status changes, progress reports, extension requests, indicator reports): made
    in the app, through the workflow that checks and records them; here they are read, never added or
    edited (a form would also offer every work item, unit and user of a province in its selects)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IdFilter(admin.SimpleListFilter):
    """A list filter whose value is one row's id, filtering ``<field>_id``: no value, every row; a value
    that is not an id is refused (the admin answers with its "?e=1" page)."""

    field: str = ""

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        chosen = parse_id(self.value())
        if chosen is None:
            raise IncorrectLookupParameters(self.parameter_name)
        return self.rows_of(queryset, chosen)

    def rows_of(self, queryset, chosen: int):
        """The rows of the chosen id (a many-to-many filter overrides this)."""
        return queryset.filter(**{f"{self.field}_id": chosen})


def plan_filter(lookup: str) -> type[admin.SimpleListFilter]:
    """A list filter by the plan at ``lookup`` ("work_item__plan") offering the user's own plans: Django's
    ``RelatedOnlyFieldListFilter`` read the distinct plans of every row (a province's 783,000 reminders:
    0.4 s a page). Its parameter is ``lookup`` itself (the admin allows a list filter's own name); a value
    that is not an id is refused."""

    class PlanFilter(IdFilter):
        title = _("方案")
        parameter_name = field = lookup

        def lookups(self, request, model_admin):
            return [(plan.pk, str(plan)) for plan in reviewable_plans(request.user).only("pk", "title")]

        def has_output(self):
            # One plan: nothing to choose between (as Django's related filters); a chosen one is shown.
            return len(self.lookup_choices) > 1 or self.value() is not None

    return PlanFilter
