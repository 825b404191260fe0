"""Who owns each row the admin shows: a coordinator reaches the rows of the plans they coordinate and of
those plans' regions, nothing else; every model admin the site registers, ours and third-party apps', alike.

``is_staff`` only opens the admin and the model permissions say what may be done; which rows appear is
``OWNERS`` (how each model's rows belong to a plan or a region) read by ``rows_for``:

- reading: every row for superusers and holders of ``tasks.view_all_plans`` (or ``act_on_all_plans``),
  otherwise the rows of the plans the user coordinates (a region's: of those plans' regions);
- writing (change, delete, add, an action, a choice offered in a form or an autocomplete): every row for
  superusers and holders of ``tasks.act_on_all_plans`` only; seeing every plan never writes;
- a model no plan or region owns (users, groups, login records) is the province's: coordinators reach
  none of it; API tokens (credentials) are superusers' only;
- a model every plan shares (the working-day calendar) is read by every coordinator and written only by
  superusers and holders of ``act_on_all_plans``: a correction moves every region's deadlines and reminders.

A row out of the user's reading scope is a 404, whether it exists or not, so the admin does not tell; one
read but not written is shown read-only and a POST to it is a 403. ``HousingAdminSite.register`` gives every
model admin and inline ``OwnerScoped`` (``with_owner_scope``); the site's autocomplete is
``ScopedAutocompleteJsonView``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin import FieldListFilter, RelatedFieldListFilter, helpers
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from tasks.selectors.permissions import coordinated_plans, holds, is_global

ACT_ON_ALL_PLANS = "tasks.act_on_all_plans"


def acts_on_all(user) -> bool:
    """Superusers and holders of ``tasks.act_on_all_plans`` write every plan's rows in the admin."""
    return user.is_authenticated and user.is_active and (user.is_superuser or holds(user, ACT_ON_ALL_PLANS))


@dataclass(frozen=True)
class Owner:
    """How a model's rows belong to an owner: ``plan`` or ``region``, the lookup from the model to its Plan or
    Region ("work_item__plan", "pk"); ``shared``: every plan's (the working-day calendar: every coordinator reads
    it, only a user who acts on every plan writes it, as a change moves every region's deadlines); ``secret``:
    credentials, superusers' only. Neither: the province's (users, groups, login records)."""

    plan: str | None = None
    region: str | None = None
    shared: bool = False
    secret: bool = False
    #: ``plan`` crosses a many-to-many (a message about several plans): read by key, never joined, so a row
    #: is listed once.
    many: bool = False


PROVINCE = Owner()

#: Every model the admin shows, edits or offers in a form, by label: whose its rows are. A model not here is
#: the province's (``PROVINCE``): a coordinator reaches none of its rows.
OWNERS: dict[str, Owner] = {
    "tasks.Plan": Owner(plan="pk"),
    "tasks.Region": Owner(region="pk"),
    "tasks.Unit": Owner(region="region"),
    "tasks.UnitAlias": Owner(region="region"),  # the unit's region (UnitAlias.save)
    "tasks.Profile": Owner(region="unit__region"),
    "tasks.Indicator": Owner(plan="plan"),
    "tasks.IndicatorTarget": Owner(plan="indicator__plan"),
    "tasks.KeyTask": Owner(plan="plan"),
    "tasks.KeyTaskUnit": Owner(plan="key_task__plan"),
    "tasks.WorkItem": Owner(plan="plan"),
    "tasks.WorkItemUnit": Owner(plan="work_item__plan"),
    "tasks.StatusChange": Owner(plan="work_item__plan"),
    "tasks.ProgressReport": Owner(plan="work_item__plan"),
    "tasks.Evidence": Owner(plan="report__work_item__plan"),
    "tasks.ExtensionRequest": Owner(plan="work_item__plan"),
    "tasks.IndicatorReport": Owner(plan="indicator__plan"),
    "tasks.TargetBreakdown": Owner(plan="indicator__plan"),
    "tasks.TargetBreakdownChange": Owner(plan="breakdown__indicator__plan"),
    "tasks.TargetShare": Owner(plan="breakdown__indicator__plan"),
    "tasks.TargetShareReport": Owner(plan="share__breakdown__indicator__plan"),
    "tasks.RoundupSettings": Owner(plan="plan"),
    "tasks.RoundupRecipient": Owner(plan="settings__plan"),
    "tasks.Roundup": Owner(plan="plan"),
    "tasks.RoundupDelivery": Owner(plan="roundup__plan"),
    "tasks.DocumentSequence": Owner(plan="plan"),
    "tasks.Bulletin": Owner(plan="plan"),
    "tasks.SupervisionNotice": Owner(plan="plan"),
    "tasks.NoticeEvent": Owner(plan="notice__plan"),
    "tasks.Reminder": Owner(plan="work_item__plan"),
    "tasks.ReminderSettings": Owner(plan="plan"),
    "tasks.ReminderRun": Owner(plan="plan"),
    "tasks.CalendarOverride": Owner(shared=True),  # one working-day calendar for every plan: the province's to write
    # The outbox: a message is about one or more plans (a digest, several); a robot is a plan's group's, or
    # a unit's (then its region's). A row is reached through either.
    "tasks.Message": Owner(plan="plans", many=True),
    "tasks.GroupRobot": Owner(plan="plan", region="unit__region"),
    # Users, groups and permissions set passwords, superuser status and permissions, which reach past any
    # plan: the province's (a coordinator holding them could make any account a superuser). Tokens are keys.
    # API tokens (keys, stored as digests): a coordinator sees and revokes those of their regions' liaisons
    # (services.api_tokens.revocable_tokens); only a superuser makes one.
    "tasks.ApiToken": Owner(region="user__profile__unit__region"),
    # A unit's people over time (services.people): the unit's region's. Invitations hold token digests: keys.
    "tasks.PeopleChange": Owner(region="unit__region"),
    "tasks.Invitation": Owner(secret=True),
}


def owner_of(model) -> Owner:
    return OWNERS.get(model._meta.label) or OWNERS.get(model._meta.concrete_model._meta.label, PROVINCE)


def rows_for(model, user, qs: QuerySet, *, write: bool = False) -> QuerySet:
    """The rows of ``qs`` (of ``model``) ``user`` reads, or writes (``write``), in the admin."""
    owner = owner_of(model)
    if owner.secret:
        return qs if user.is_superuser and user.is_active else qs.none()
    if acts_on_all(user) or (not write and (owner.shared or is_global(user))):
        return qs
    if owner.shared:
        return qs.none()  # a row every plan reads (the calendar moves every region's deadlines): the province's
    plans = coordinated_plans(user)
    where = Q()
    if owner.plan:
        where |= Q(**{f"{owner.plan}__in": sorted(plans)})
    if owner.region:
        where |= Q(**{f"{owner.region}__in": sorted(set(plans.values()))})
    if not where:
        return qs.none()
    if owner.many:
        return qs.filter(pk__in=model._default_manager.filter(where).values("pk"))
    return qs.filter(where)


def reaches(model, user, *, write: bool = False) -> bool:
    """Whether ``user`` may read (write) ``model``'s rows at all: its pages, before any row. A coordinator's
    lists hold their plans' rows (none, for staff without a plan); a user who sees every plan but acts on
    none writes nothing."""
    owner = owner_of(model)
    if owner.secret:
        return user.is_superuser and user.is_active
    if acts_on_all(user) or (not write and (owner.shared or is_global(user))):
        return True
    if owner.shared:
        return False  # every coordinator reads it; writing it changes every region's work: the province's
    if not (owner.plan or owner.region):
        return False  # the province's
    return not write or not is_global(user) or bool(coordinated_plans(user))


def row_reached(model, user, pk, *, write: bool = False) -> bool:
    """Whether ``user`` reads (writes) the row ``pk`` of ``model`` (a key already checked to be one)."""
    rows = rows_for(model, user, model._default_manager.all(), write=write)
    # Every row (a superuser's): no query, and a key the admin reads otherwise than the table (a DRF
    # token's is its user's id) is not looked up in the wrong column.
    return not rows.query.where or rows.filter(pk=pk).exists()


def writable(model, user) -> QuerySet:
    """Every row of ``model`` ``user`` may choose in a form or act on."""
    return rows_for(model, user, model._default_manager.all(), write=True)


def _in_scope(field, request):
    """A form field choosing rows (foreign key, many to many) offers and accepts only rows the user writes."""
    queryset = getattr(field, "queryset", None)
    if queryset is not None:
        field.queryset = rows_for(queryset.model, request.user, queryset, write=True)
    return field


class OwnerScoped:
    """A model admin mixin: rows, pages, permissions, form choices and actions within ``rows_for``."""

    def get_queryset(self, request):
        return rows_for(self.model, request.user, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Another plan's row (or none at all): the same answer, a 404.
            raise Http404
        return obj

    def _reaches(self, request, obj, *, write: bool) -> bool:
        if obj is None:
            return reaches(self.model, request.user, write=write)
        if obj.pk is None:
            return True
        # Asked several times for one page (view, change, delete, each inline): once per request.
        answers = request.__dict__.setdefault("_owner_scope", {})
        key = (self.model._meta.label, obj.pk, write)
        if key not in answers:
            answers[key] = row_reached(self.model, request.user, obj.pk, write=write)
        return answers[key]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._reaches(request, obj, write=False)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._reaches(request, obj, write=True)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._reaches(request, obj, write=True)

    def has_add_permission(self, request):
        if not (super().has_add_permission(request) and reaches(self.model, request.user, write=True)):
            return False
        # A new region is nobody's until a plan is made in it: the province's to add.
        return owner_of(self.model).region != "pk" or acts_on_all(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _in_scope(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _in_scope(super().formfield_for_manytomany(db_field, request, **kwargs), request)

    def response_action(self, request, queryset):
        # The list's rows are those the user reads; an action writes: every row it is posted with must be
        # one the user writes, or nothing runs (as for a selection that is not ids).
        # (Keys that are not ids were refused before: ValidKeys.)
        selected = {self.model._meta.pk.to_python(value) for value in request.POST.getlist(
            helpers.ACTION_CHECKBOX_NAME)}
        across = request.POST.get("select_across", "0") == "1"
        if selected or across:
            chosen = queryset if across else queryset.filter(pk__in=selected)
            mine = rows_for(self.model, request.user, chosen, write=True)
            if (not across and mine.count() != len(selected)) or chosen.exclude(pk__in=mine.values("pk")).exists():
                self.message_user(request, gettext("所选的项目无效，未做任何更改。"), messages.ERROR)
                return None
        return super().response_action(request, queryset)


class OwnerScopedInline:
    """An inline mixin: its rows, and the rows its forms offer, within ``rows_for``."""

    def get_queryset(self, request):
        return rows_for(self.model, request.user, super().get_queryset(request))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class ScopedFormSet(formset):
            def add_fields(self, form, index):
                # Each row's hidden key, a choice among every row of the model (Django matches it with the
                # inline's own rows): a row the user writes, as every choice.
                super().add_fields(form, index)
                _in_scope(form.fields.get(self.model._meta.pk.name), request)

        ScopedFormSet.__name__ = formset.__name__
        return ScopedFormSet

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _in_scope(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _in_scope(super().formfield_for_manytomany(db_field, request, **kwargs), request)


def with_owner_scope(admin_class: type) -> type:
    """``admin_class`` (a model admin or an inline) with ``OwnerScoped`` (its inlines too), or itself."""
    mixin = OwnerScopedInline if issubclass(admin_class, admin.options.InlineModelAdmin) else OwnerScoped
    own_inlines = list(getattr(admin_class, "inlines", None) or [])
    inlines = [with_owner_scope(inline) for inline in own_inlines]
    if issubclass(admin_class, mixin) and inlines == own_inlines:
        return admin_class
    attrs = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__,
             "__qualname__": admin_class.__qualname__}
    if inlines:
        attrs["inlines"] = inlines
    bases = (admin_class,) if issubclass(admin_class, mixin) else (mixin, admin_class)
    return type(admin_class.__name__, bases, attrs)


def view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" link (``/admin/r/<type>/<id>/``) for rows the user reads only: Django's
    redirects any staff user to any row's page, telling its address (a plan's slug) and that it exists."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.contenttypes.views import shortcut

    from tasks.inputs import is_key, parse_id

    try:
        model = ContentType.objects.get_for_id(parse_id(content_type_id) or 0).model_class()
    except ContentType.DoesNotExist:
        model = None
    if model is None or not is_key(model._meta.pk, object_id) or not row_reached(model, request.user, object_id):
        raise Http404
    return shortcut(request, content_type_id, object_id)


class ScopedRelatedFieldListFilter(RelatedFieldListFilter):
    """A list filter by a related row (``list_filter = ["region"]``) offering the rows the user reads:
    Django's offers every row (every region's name to a county's coordinator). Every model admin's, as
    Django picks it for a relation."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        readable = rows_for(related, request.user, related._default_manager.all())
        if not readable.query.where:  # every row
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering,
                                 limit_choices_to=Q(pk__in=readable.values("pk")))


FieldListFilter.register(lambda f: f.remote_field, ScopedRelatedFieldListFilter, take_priority=True)


class ScopedAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete offering only rows the user may choose (``writable``): it fills forms."""

    def get_queryset(self):
        return rows_for(self.model_admin.model, self.request.user, super().get_queryset(), write=True)
