"""A unit's people (its liaisons and 分管领导): who they are, add one, replace one, invite again; and the
invitation link on which an account's owner sets their password."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tasks.forms import Form
from tasks.models import PersonRole, Unit
from tasks.rules.actions import Act
from tasks.selectors.guard import allowed, authorize
from tasks.selectors.people import unit_members, unit_people_history
from tasks.selectors.permissions import visible_units
from tasks.services.invitations import InvitationError, invitation_accept, invitation_send, invitation_usable
from tasks.services.people import DEACTIVATE, MOVE, PersonSpec, unit_liaison_replace, unit_person_add

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class PersonForm(Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    title = forms.CharField(label=_("职务"), max_length=50, required=False)
    mobile = forms.CharField(label=_("手机"), max_length=11, required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)
    zzd_id = forms.CharField(label=_("浙政钉账号 ID"), max_length=64, required=False)
    role = forms.ChoiceField(label=_("身份"), choices=PersonRole.choices, initial=PersonRole.LIAISON)

    def spec(self) -> PersonSpec:
        d = self.cleaned_data
        return PersonSpec(name=d["name"], title=d.get("title") or "", mobile=d.get("mobile") or "",
                          email=d.get("email") or "", zzd_id=d.get("zzd_id") or "",
                          role=d.get("role") or PersonRole.LIAISON)


class ReplaceForm(PersonForm):
    old = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    old_fate = forms.ChoiceField(label=_("原人员"), choices=[(DEACTIVATE, _("停用账号")), (MOVE, _("调至其他单位"))],
                                 initial=DEACTIVATE)
    move_to = forms.IntegerField(label=_("调往单位"), required=False, min_value=1)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["role"]  # the new person takes the old one's role
        self.fields["move_to"] = forms.TypedChoiceField(
            label=_("调往单位"), required=False, coerce=int, empty_value=None,
            choices=[("", "—"), *((u.pk, u.name) for u in units)])


def _unit_for_people(request, pk: int) -> Unit:
    unit = get_object_or_404(visible_units(request.user).select_related("region"), pk=pk)
    authorize(Act.MANAGE_PEOPLE, request.user, unit)
    return unit


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "HEAD", "POST"])
def unit_people(request, pk: int):
    """The unit's people and their history; POST adds a person and invites them."""
    unit = _unit_for_people(request, pk)
    form = PersonForm(request.POST or None, prefix="add")
    if request.method == "POST" and form.is_valid():
        try:
            user = unit_person_add(unit=unit, spec=form.spec(), actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _t("已添加%(n)s，并已发送设置密码的邀请。") % {"n": user.get_full_name()})
            return redirect("tasks:unit_people", pk=unit.pk)
    return _render(request, unit, add_form=form, status=400 if request.method == "POST" else 200)


def _render(request, unit, *, add_form=None, replace_form=None, replacing=None, status=200):
    others = list(Unit.objects.filter(region_id=unit.region_id).exclude(pk=unit.pk)
                  .exclude(kind=Unit.Kind.COLLECTIVE).order_by("name"))
    members = list(unit_members(unit))
    forms_by_person = {
        m.pk: (replace_form if replacing == m.pk and replace_form is not None
               else ReplaceForm(prefix=f"r{m.pk}", initial={"old": m.pk}, units=others))
        for m in members if m.is_active and allowed(Act.MANAGE_PEOPLE, request.user, m)
    }
    return render(request, "tasks/people/unit_people.html", {
        "unit": unit, "members": [(m, forms_by_person.get(m.pk)) for m in members],
        "add_form": add_form or PersonForm(prefix="add"), "history": unit_people_history(unit),
    }, status=status)


@require_POST
def unit_person_replace(request, pk: int):
    """Replace a liaison (or leader) of the unit: the new one is invited, the old one deactivated or moved."""
    unit = _unit_for_people(request, pk)
    old_id = request.POST.get("person", "")
    old = next((m for m in unit_members(unit) if str(m.pk) == old_id and m.is_active), None)
    if old is None:
        return redirect("tasks:unit_people", pk=unit.pk)
    others = Unit.objects.filter(region_id=unit.region_id).exclude(pk=unit.pk).exclude(kind=Unit.Kind.COLLECTIVE)
    form = ReplaceForm(request.POST, prefix=f"r{old.pk}", units=list(others.order_by("name")))
    if form.is_valid():
        move_to = others.filter(pk=form.cleaned_data.get("move_to") or 0).first()
        try:
            result = unit_liaison_replace(unit=unit, old=old, spec=form.spec(), old_fate=form.cleaned_data["old_fate"],
                                          move_to=move_to, actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _t("%(new)s已接替%(old)s，转交待发提醒 %(n)d 条，并已发送设置密码的邀请。") % {
                "new": result.new.get_full_name(), "old": old.get_full_name() or old.username,
                "n": result.reminders_moved})
            return redirect("tasks:unit_people", pk=unit.pk)
    return _render(request, unit, replace_form=form, replacing=old.pk, status=400)


@require_POST
def unit_person_invite(request, pk: int):
    """Send a person of the unit a new invitation (the older links stop working)."""
    unit = _unit_for_people(request, pk)
    person = next((m for m in unit_members(unit) if str(m.pk) == request.POST.get("person", "") and m.is_active), None)
    if person is None:
        return redirect("tasks:unit_people", pk=unit.pk)
    try:
        invitation_send(user=person, actor=request.user, unit=unit)
    except InvitationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _t("已向%(n)s重新发送邀请。") % {"n": person.get_full_name() or person.username})
    return redirect("tasks:unit_people", pk=unit.pk)


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_open(request, token: str):
    """The owner of an invited account sets their password: once, before the link expires. Whoever was logged
    in in this browser is logged out first, so the link never acts as someone else; after setting it, the
    owner is logged in as themselves."""
    try:
        invitation = invitation_usable(token)
    except InvitationError as exc:
        return render(request, "tasks/people/invitation.html", {"refusal": " ".join(exc.messages)}, status=404
                      if exc.code == "unknown" else 410)
    user = invitation.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            if isinstance(exc, InvitationError):
                return render(request, "tasks/people/invitation.html", {"refusal": " ".join(exc.messages)},
                              status=410)
            form.add_error("new_password2", exc)
        else:
            if request.user.is_authenticated:
                logout(request)
            login(request, user, backend=MODEL_BACKEND)
            messages.success(request, _t("密码已设置，欢迎使用。"))
            return redirect(reverse("tasks:home"))
    return render(request, "tasks/people/invitation.html", {"form": form, "person": user,
                                                            "unit": getattr(getattr(user, "profile", None), "unit",
                                                                            None)},
                  status=400 if request.method == "POST" else 200)
