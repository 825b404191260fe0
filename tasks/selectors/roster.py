"""The roster import's preview: each row of a parsed roster against the plan's region, with its errors.

What the file alone shows is ``importers.roster``'s; here: the unit (a name or alias of the region's units;
unknown -> the closest names to choose from, as the plan import suggests them), a person already in another
unit, an address another account uses. The page, the command and the write (``services.roster``) read this
one preview, so they agree on every error. A fixed number of queries for any number of rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from tasks.importers.matching import normalise_name
from tasks.importers.roster import ROLE_LABELS, ParsedRoster, RosterRow, check_rows
from tasks.models import Plan, Unit
from tasks.rules.actions import Act
from tasks.stored_text import issue_text

from .guard import allowed
from .imports import _suggest
from .permissions import claimed_elsewhere, prime_standing

User = get_user_model()
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


def role_label(role: str) -> str:
    """A roster role's name in the active language (联络员, 分管领导, 专班协调员)."""
    return gettext(ROLE_LABELS[role]) if role in ROLE_LABELS else role


@dataclass
class PreviewRow:
    source: RosterRow
    unit: Unit | None
    errors: list[str]
    suggestions: list[Unit] = field(default_factory=list)
    person: object | None = None  # the existing account this row updates
    action: str = CREATE
    chosen: bool = False  # the unit was chosen by the coordinator (an unknown name mapped)

    @property
    def field(self) -> str:
        return f"unit_{self.source.row}"

    @property
    def role_label(self) -> str:
        return role_label(self.source.role)

    def as_json(self) -> dict:
        return {"row": self.source.row, "unit": self.source.unit, "name": self.source.name, "errors": self.errors,
                "suggestions": [u.name for u in self.suggestions],
                "matched_unit": self.unit.name if self.unit else None, "role": self.source.role,
                "action": self.action}


@dataclass
class RosterPreview:
    plan: Plan
    sheet: str
    rows: list[PreviewRow]
    region_units: list[Unit]

    @property
    def bad(self) -> list[PreviewRow]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.bad

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)

    @property
    def count_create(self) -> int:
        return self.count(CREATE)

    @property
    def count_invite(self) -> int:
        """The rows the confirm will invite (``services.roster``: a new account, or one whose owner never set a
        password); the confirm button says so, not "invite everyone" over a roster of people already in."""
        return sum(1 for r in self.rows if not r.errors and (r.person is None or not r.person.has_usable_password()))


def _region_units(plan: Plan) -> tuple[list[Unit], dict[str, Unit]]:
    units = list(Unit.objects.filter(region_id=plan.region_id).prefetch_related("aliases").order_by("name"))
    names: dict[str, Unit] = {}
    for u in units:
        names[normalise_name(u.name)] = u
        for a in u.aliases.all():
            names.setdefault(normalise_name(a.name), u)
    return units, names


def roster_preview(*, plan: Plan, parsed: ParsedRoster, unit_choices: Mapping[int, int] | None = None,
                   actor=None) -> RosterPreview:
    """Every row with its errors; ``unit_choices`` maps a row number to the unit the coordinator chose for
    a name that matched none. A row matching an account ``actor`` may not change (another region's, one above
    them, one of no unit that someone has used: the guard's ``manage_people``) is an error that does not name the
    account (the last asks for a superuser); None is the operator."""
    unit_choices = unit_choices or {}
    check_rows(parsed.rows)  # afresh: rows read back from the page's session hold their errors as plain text

    def foreign(person) -> bool:
        return actor is not None and not allowed(Act.MANAGE_PEOPLE, actor, person)
    units, names = _region_units(plan)
    by_pk = {u.pk: u for u in units}
    mobiles = {r.mobile for r in parsed.rows if r.mobile}
    emails = {r.email.lower() for r in parsed.rows if r.email}
    people = list(
        User.objects.filter(Q(profile__mobile__in=mobiles) | Q(email__in=emails))
        .select_related("profile__unit") if mobiles or emails else []
    )
    if actor is not None:
        prime_standing(people)  # the guard's reads of every matched account at once
    by_mobile = {p.profile.mobile: p for p in people if _profile(p) is not None and p.profile.mobile}
    by_email: dict[str, list] = {}
    for p in people:
        by_email.setdefault(p.email.lower(), []).append(p)
    rows = []
    for r in parsed.rows:
        errors = [issue_text(e) for e in r.errors]  # every message in the reader's language
        unit = names.get(normalise_name(r.unit)) if r.unit else None
        chosen = False
        suggestions: list[Unit] = []
        if unit is None and r.row in unit_choices and unit_choices[r.row] in by_pk:
            unit, chosen = by_pk[unit_choices[r.row]], True
        if unit is None and r.unit:
            suggestions = _suggest(r.unit, units)
            values = {"unit": r.unit, "region": plan.region.name, "names": "、".join(u.name for u in suggestions)}
            errors.append(_("单位“%(unit)s”不在%(region)s的单位中，可能是：%(names)s") % values if suggestions
                          else _("单位“%(unit)s”不在%(region)s的单位中") % values)
        elif unit is not None and unit.kind == Unit.Kind.COLLECTIVE:
            errors.append(_("“%(unit)s”是集合单位，请填写具体的镇（街道）或部门") % {"unit": unit.name})
        person = by_mobile.get(r.mobile) if r.mobile else None
        if r.email:
            holders = [p for p in by_email.get(r.email.lower(), []) if p is not person]
            if person is None:
                # The same address and no mobile to tell them apart: the same person.
                same = [p for p in holders if not r.mobile or not getattr(_profile(p), "mobile", "")]
                person = same[0] if len(same) == 1 else None
            others = [p for p in holders if p is not person and p.is_active]
            if others and foreign(others[0]):
                errors.append(_("邮箱 %(email)s 已被其他账号使用") % {"email": r.email})
            elif others:
                errors.append(_("邮箱 %(email)s 已被账号 %(username)s（%(name)s）使用") % {
                    "email": r.email, "username": others[0].username, "name": others[0].get_full_name()})
        action = CREATE
        if person is not None:
            action = UPDATE if _differs(person, r, unit) else UNCHANGED
            current = getattr(_profile(person), "unit", None)
            if foreign(person):
                # Listed as they are (a fellow coordinator of the region in the template) and not to be invited:
                # nothing of theirs is written. Else refused, without naming whose the account is.
                if action != UNCHANGED or not person.has_usable_password():
                    errors.append(_("手机或邮箱属于一个已登录使用过、尚未归属单位的账号,只有超级管理员可以将其加入单位,"
                                    "请联系超级管理员(第 %(row)d 行)") % {"row": r.row} if claimed_elsewhere(person)
                                  else _("手机或邮箱与其他地区或更高权限的账号相同，不能由本名单修改（第 %(row)d 行）")
                                  % {"row": r.row})
            elif person.is_active and current is not None and unit is not None and current.pk != unit.pk:
                errors.append(_("%(person)s（手机 %(mobile)s）已是%(unit)s的%(role)s，请先在原单位更换或调出") % {
                    "person": person.get_full_name() or person.username, "mobile": r.mobile or "-",
                    "unit": current.name, "role": _profile(person).get_role_display()})
        rows.append(PreviewRow(source=r, unit=unit, errors=errors, suggestions=suggestions, person=person,
                               action=action, chosen=chosen))
    return RosterPreview(plan=plan, sheet=parsed.sheet, rows=rows, region_units=units)


def _profile(user):
    return getattr(user, "profile", None)


def _differs(person, r: RosterRow, unit: Unit | None) -> bool:
    p = _profile(person)
    if p is None:
        return True
    return (not person.is_active or p.unit_id != (unit.pk if unit else None) or p.role != r.role
            or person.first_name != r.name or (r.email and person.email.lower() != r.email.lower())
            or (r.title and p.title != r.title) or (r.zzd_id and p.zzd_id != r.zzd_id)
            or (r.dingtalk_id and p.dingtalk_id != r.dingtalk_id))


TEMPLATE_HEADER = ["单位", "姓名", "职务", "手机", "邮箱", "浙政钉ID", "角色"]
KIND_ORDER = {Unit.Kind.DEPARTMENT: 0, Unit.Kind.TOWN: 1}


def roster_template_rows(plan: Plan) -> list[list[str]]:
    """The template's rows: every unit of the plan's region that may have people (not collectives), departments
    then towns, each with its current active people (so a returned copy updates them) or one row to fill."""
    from tasks.models import Profile

    units = sorted(Unit.objects.filter(region_id=plan.region_id).exclude(kind=Unit.Kind.COLLECTIVE),
                   key=lambda u: (KIND_ORDER.get(u.kind, 2), u.name))
    people: dict[int, list] = {}
    for p in (Profile.objects.filter(unit__region_id=plan.region_id, user__is_active=True)
              .select_related("user").order_by("role", "user__first_name", "pk")):
        people.setdefault(p.unit_id, []).append(p)
    rows = []
    for u in units:
        members = people.get(u.pk)
        if not members:
            rows.append([u.name, "", "", "", "", "", ""])
        for p in members or ():
            rows.append([u.name, p.user.first_name, p.title, p.mobile, p.user.email, p.zzd_id,
                         ROLE_LABELS.get(p.role, "")])
    return rows


def roster_template_xlsx(plan: Plan) -> bytes:
    """The roster template as an .xlsx: the region's units listed, 角色 and 单位 chosen from lists, 手机 as text."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from tasks.xlsx_safe import safe_sheet_title, write_cell

    wb = Workbook()
    ws = wb.active
    ws.title = "联络员名单"
    rows = roster_template_rows(plan)
    for c, text in enumerate(TEMPLATE_HEADER, start=1):
        write_cell(ws, row=1, column=c, value=text).font = Font(bold=True)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = write_cell(ws, row=r, column=c, value=value)
            if c == 4:
                cell.number_format = "@"  # a mobile stays text, not 1.38E+10
    last = max(len(rows) + 1, 2) + 200  # room for more people below the units
    for r in range(len(rows) + 2, last + 1):
        ws.cell(row=r, column=4).number_format = "@"
    units_ws = wb.create_sheet(safe_sheet_title("单位列表"))
    names = sorted({v[0] for v in rows})
    write_cell(units_ws, row=1, column=1, value="单位").font = Font(bold=True)
    for r, name in enumerate(names, start=2):
        write_cell(units_ws, row=r, column=1, value=name)
    roles = DataValidation(type="list", formula1='"联络员,分管领导,专班协调员"', allow_blank=True)
    roles.error, roles.errorTitle = "请选择 联络员、分管领导 或 专班协调员", "角色"
    ws.add_data_validation(roles)
    roles.add(f"G2:G{last}")
    if names:
        unit_list = DataValidation(type="list", formula1=f"'单位列表'!$A$2:$A${len(names) + 1}", allow_blank=True)
        unit_list.showErrorMessage = False  # a unit missing from the list may still be typed (flagged on upload)
        ws.add_data_validation(unit_list)
        unit_list.add(f"A2:A{last}")
    for col, width in zip("ABCDEFG", (28, 10, 16, 16, 28, 16, 12), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
