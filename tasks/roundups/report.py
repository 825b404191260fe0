"""The one data object every formatter reads: a roundup snapshot plus what a reader needs around it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasks.rules import roundups as rules

COLOUR_LABELS = {
    rules.GREEN: gettext_lazy("绿灯"),
    rules.YELLOW: gettext_lazy("黄灯"),
    rules.RED: gettext_lazy("红灯"),
    rules.NONE: "—",
}
# The page's colours (app.css), reused by the workbook and the charts so all three look alike.
COLOUR_HEX = {rules.GREEN: "2E7D32", rules.YELLOW: "EF8F00", rules.RED: "C62828", rules.NONE: "9CA3AF"}
COLOUR_FILL = {rules.GREEN: "E7F5EA", rules.YELLOW: "FFF4E0", rules.RED: "FDECEA", rules.NONE: "F0F2F5"}


def pct(value: float | None, digits: int = 1) -> str:
    """0.6667 -> '66.7%'; None -> '—'."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def colour_label(colour: str) -> str:
    return str(COLOUR_LABELS.get(colour, "—"))


@dataclass
class RoundupReport:
    """A snapshot (``Roundup.data`` or a fresh ``roundup_data``) with its status, ready for formatting."""

    data: dict
    status: str = "draft"
    status_label: str = ""
    generated_at: datetime | None = None
    published_at: datetime | None = None
    url: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_roundup(cls, roundup, *, url: str = "") -> RoundupReport:
        return cls(
            data=roundup.data,
            status=roundup.status,
            status_label=roundup.get_status_display(),
            generated_at=roundup.generated_at,
            published_at=roundup.published_at,
            url=url,
        )

    # -- plain accessors ------------------------------------------------------------------------
    @property
    def plan(self) -> dict:
        return self.data["plan"]

    @property
    def period(self) -> dict:
        return self.data["period"]

    @property
    def kind(self) -> str:
        return self.period["kind"]

    @property
    def is_quarter(self) -> bool:
        return self.kind == "quarter"

    @property
    def is_year(self) -> bool:
        return self.kind == "year"

    @property
    def title(self) -> str:
        """月晾晒（2023年6月）, 季通报（2023年第二季度）, 年考核（2023年度）."""
        return f"{self.period['title']}（{self.period['label']}）"

    @property
    def sections(self) -> list[tuple[str, str]]:
        """(template key, numbered heading), the period's own product first: the bulletin for a
        quarter, the assessment for a year."""
        keys = ["units", "indicators", "tasks", "overdue"]
        if self.outside_items:
            keys.insert(3, "outside")
        if self.is_quarter:
            keys.insert(0, "bulletin")
        if self.is_year:
            keys.insert(0, "assessment")
        headings = {
            "bulletin": _("表扬与通报"),
            "assessment": _("年度考核"),
            "units": _("单位排名"),
            "indicators": _("指标完成情况"),
            "tasks": _("重点任务推进"),
            "overdue": _("逾期未完成事项（%(n)d项）") % {"n": len(self.overdue_items)},
            "outside": _("会议议定与领导批示事项（%(n)d项）") % {"n": len(self.outside_items)},
        }
        numerals = "一二三四五六七八九"
        numbered = [(key, f"{numerals[n]}、{headings[key]}") for n, key in enumerate(keys)]
        if self.is_year:  # an appendix, not a numbered part of the assessment; "not recorded" in older ones
            numbered.append(("burden", _("附：基层负担")))
        return numbered

    @property
    def summary(self) -> dict:
        return self.data["summary"]

    @property
    def units(self) -> list[dict]:
        return self.data["units"]

    @property
    def ranked_units(self) -> list[dict]:
        return [u for u in self.units if u["rank"] is not None]

    def rankings(self, top: int | None = None) -> list[tuple[str, int, list[dict]]]:
        """(heading, how many are ranked, the first ``top`` rows) of each ranking, 地方 then 部门 (one
        "单位排名" for a snapshot from before units had a kind), best first."""
        ranked = sorted(self.ranked_units, key=lambda u: u["rank"])
        if not any("kind" in u for u in ranked):
            groups = [(_("单位排名"), ranked)] if ranked else []
        else:
            groups = [(heading, [u for u in ranked if u.get("kind") == kind])
                      for kind, heading in (("town", _("地方（镇、街道）排名")), ("department", _("部门排名")))]
        return [(heading, len(rows), rows[:top] if top else rows) for heading, rows in groups if rows]

    def assessment_rankings(self, top: int | None = None) -> list[tuple[str, int, list[dict]]]:
        """(heading, how many are assessed, the first ``top`` rows) of a year's assessment, 地方 then 部门, best
        first: a 年考核's ranking, as ``rankings`` is a month's or a quarter's."""
        groups = [(heading, sorted((a for a in self.assessment if a.get("kind", "department") == kind),
                                   key=lambda a: (a["rank"], a["unit"])))
                  for kind, heading in (("town", _("地方（镇、街道）年度考核")), ("department", _("部门年度考核")))]
        return [(heading, len(rows), rows[:top] if top else rows) for heading, rows in groups if rows]

    @property
    def units_without_due(self) -> list[dict]:
        """Units with nothing due in the period: listed apart, never ranked (snapshots before v2 have none)."""
        return self.data.get("units_without_due", [])

    @property
    def indicators(self) -> list[dict]:
        return self.data["indicators"]

    @property
    def target_shares(self) -> list[dict]:
        """Each unit's share of the year's indicator targets with its progress (``selectors.roundups.share_rows``);
        snapshots frozen before shares were listed have none."""
        return self.data.get("target_shares", [])

    @property
    def units_without_due_lines(self) -> list[dict]:
        """``units_without_due`` with each unit's shares of the targets in words (``shares_line``), for the page."""
        return [{**u, "shares": self.shares_line(u["unit_id"])} for u in self.units_without_due]

    def shares_of(self, unit_id: int | None) -> list[dict]:
        return [s for s in self.target_shares if s["unit_id"] == unit_id]

    @staticmethod
    def share_text(share: dict) -> str:
        """One share as every output words it: "3.住房监测覆盖率(%)：目标100，完成50，进度50.0%（红灯）"."""
        progress = "—" if share["progress"] is None else f"{share['progress']:g}%"
        return _("%(number)s.%(indicator)s：目标%(target)s，完成%(actual)s，进度%(progress)s（%(light)s）") % {
            "number": share["number"], "indicator": share["indicator"], "target": share["target_text"] or "—",
            "actual": share["actual_text"] or "—", "progress": progress, "light": colour_label(share["colour"])}

    def shares_line(self, unit_id: int | None) -> str:
        """A unit's shares of the year's targets in one phrase ("" when it holds none): the page's 本期无到期事项
        list, the e-mail's own line, the 通报's attachment read it."""
        shares = self.shares_of(unit_id)
        if not shares:
            return ""
        return _("分解目标：") + "；".join(self.share_text(s) for s in shares)

    @property
    def key_tasks(self) -> list[dict]:
        return self.data["key_tasks"]

    @property
    def overdue_items(self) -> list[dict]:
        return self.data["overdue_items"]

    @property
    def outside_items(self) -> list[dict]:
        """Items from meetings and instructions (snapshots before issue 34 have none)."""
        return self.data.get("outside_items", [])

    @property
    def burden(self) -> list[dict]:
        """What the app asked of each unit over the year (``selectors.burden.unit_asks_for_year``); annual
        snapshots from before issue 34 have none (``burden_recorded``)."""
        return self.data.get("burden") or []

    @property
    def burden_recorded(self) -> bool:
        """Whether the snapshot holds the appendix (基层负担). An assessment frozen before the appendix existed
        does not: it says "not recorded", and is never filled in later, since counts taken now (today's
        settings, today's rows) would not be what was asked then."""
        return self.data.get("burden") is not None  # absent from the snapshot (null in the API's document)

    @staticmethod
    def burden_unrecorded_note() -> str:
        """What the appendix says where ``burden_recorded`` is false (the page, the workbook)."""
        return _("未记录：本年度考核生成时系统尚未统计基层负担。不按现在的数据补算，以免用今天的设置改写当时的要求。")

    @property
    def praise(self) -> list[dict]:
        return self.data.get("praise", [])

    @property
    def call_out(self) -> list[dict]:
        return self.data.get("call_out", [])

    @property
    def assessment(self) -> list[dict]:
        return self.data.get("assessment", [])

    @property
    def rules(self) -> dict:
        return self.data["rules"]

    @property
    def outside_weight(self) -> float:
        """How much an item from a meeting or an instruction weighed in the units' results (0: not counted)."""
        return rules.outside_weight(self.rules)

    @staticmethod
    def outside_note(row: dict) -> str:
        """What a unit's counts include of items from meetings and instructions (``""`` when nothing)."""
        lead, support = rules.outside_due(row) or (0, 0)
        if not lead and not support:
            return ""
        return _("含会议批示事项：牵头%(lead)d项、配合%(support)d项") % {"lead": lead, "support": support}

    @property
    def unreported_indicators(self) -> list[dict]:
        return [i for i in self.indicators if not i["reported_in_period"]]

    def slug(self) -> str:
        """A file name stem: ``jinjian-2023-06-month``."""
        return f"{self.plan['slug']}-{self.period['key']}-{self.kind}"

    def file_stem(self) -> str:
        """A readable file name stem: ``金鉴区…方案-2023年6月月晾晒``."""
        return f"{self.plan['title']}-{self.period['label']}{self.period['title']}"

    # -- what a leader reads first ----------------------------------------------------------------
    def highlights(self) -> list[str]:
        """Three to five sentences that say how the period went."""
        s = self.summary
        lines = [
            _("本期应办事项%(due)d项：按期完成%(on)d项，逾期完成%(late)d项，逾期未完成%(over)d项，待审核%(wait)d项；"
              "按期完成率%(rate)s。")
            % {"due": s["due"], "on": s["done_on_time"], "late": s["done_late"], "over": s["overdue"],
               "wait": s["awaiting_review"], "rate": pct(s["on_time_rate"])}
        ]
        ranked = self.ranked_units
        groups = [("town", _("地方排名第一：%(top)s。")), ("department", _("部门排名第一：%(top)s。"))]
        if self.is_year and self.assessment:  # a year's first is its assessment's, not the outcome ranking's
            for kind, template in (("town", _("年度考核地方第一：%(top)s。")),
                                   ("department", _("年度考核部门第一：%(top)s。"))):
                top = "、".join(a["unit"] for a in self.assessment
                               if a.get("kind", "department") == kind and a["rank"] == 1)
                if top:
                    lines.append(template % {"top": top})
        elif ranked and any("kind" in u for u in ranked):
            for kind, template in groups:
                top = "、".join(u["unit"] for u in ranked if u.get("kind") == kind and u["rank"] == 1)
                if top:
                    lines.append(template % {"top": top})
        elif ranked:
            top = "、".join(u["unit"] for u in ranked if u["rank"] == 1)
            lines.append(_("排名第一：%(top)s。") % {"top": top})
        reds = [u["unit"] for u in self.units if u["colour"] == rules.RED]
        if reds:
            lines.append(_("红灯单位%(n)d个：%(names)s。") % {"n": len(reds), "names": "、".join(reds)})
        by_colour = s["indicators_by_colour"]
        lines.append(
            _("指标%(n)d项：绿灯%(g)d项，黄灯%(y)d项，红灯%(r)d项，无法评价%(x)d项；本期未填报%(u)d项。")
            % {"n": len(self.indicators), "g": by_colour["green"], "y": by_colour["yellow"], "r": by_colour["red"],
               "x": by_colour["none"], "u": s["indicators_not_reported"]}
        )
        if self.overdue_items:
            worst = self.overdue_items[0]
            lines.append(
                _("逾期最久：%(text)s（%(unit)s，逾期%(days)d天）。")
                % {"text": worst["text"][:40], "unit": worst["lead_unit"] or "—", "days": worst["days_overdue"]}
            )
        if self.is_quarter:
            template = (
                _("表扬%(p)d个单位，通报%(c)d个单位。") if self.is_published
                else _("拟表扬%(p)d个单位，拟通报%(c)d个单位。")
            )
            lines.append(template % {"p": len(self.praise), "c": len(self.call_out)})
        return lines

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def unit_line(self, unit_id: int | None) -> str:
        """One sentence on a unit's own results, for the email it receives."""
        row = next((u for u in self.units if u["unit_id"] == unit_id), None)
        assessed = self.assessment_of(unit_id)
        shares = self.shares_line(unit_id)
        if row is None:
            apart = next((u for u in self.units_without_due if u["unit_id"] == unit_id), None)
            if assessed is None and apart is None:
                return ""
            # Nothing due in the period: its shares of the targets, and a year's assessment on its indicators.
            parts = [_("本期无到期事项")] if apart is not None else []
            if shares:
                parts.append(shares)
            if assessed is not None:
                parts.append(_("年度考核得分%(score)g，排名第%(rank)d") % assessed)
            name = assessed["unit"] if assessed is not None else apart["unit"]
            return _("%(unit)s：") % {"unit": name} + "；".join(parts) + "。"
        parts = []
        if row["rank"] is not None:
            change = row["rank_change"]
            moved = (
                _("（较上期上升%d位）") % change if change and change > 0
                else _("（较上期下降%d位）") % -change if change and change < 0 else ""
            )
            parts.append(_("排名第%(rank)d%(moved)s，得分%(score)g，%(light)s") % {
                "rank": row["rank"], "moved": moved, "score": row["score"], "light": colour_label(row["colour"])})
        parts.append(
            _("牵头应办%(due)d项，按期完成%(on)d项，逾期完成%(late)d项，逾期未完成%(over)d项，待审核%(wait)d项")
            % {"due": row["due"], "on": row["done_on_time"], "late": row["done_late"], "over": row["overdue"],
               "wait": row["awaiting_review"]}
        )
        if row["support"]["due"]:
            parts.append(_("配合应办%(due)d项，按期完成%(on)d项") % {
                "due": row["support"]["due"], "on": row["support"]["done_on_time"]})
        if self.outside_note(row):
            parts.append(self.outside_note(row))
        if shares:
            parts.append(shares)
        if assessed:
            parts.append(_("年度考核得分%(score)g，排名第%(rank)d") % assessed)
        return _("%(unit)s：") % {"unit": row["unit"]} + "；".join(parts) + "。"

    def assessment_of(self, unit_id: int | None) -> dict | None:
        """The unit's row of the year's assessment (None for a month, a quarter or a unit not assessed)."""
        return next((a for a in self.assessment if a.get("unit_id") == unit_id), None)

    # -- chart series -----------------------------------------------------------------------------
    def indicator_series(self) -> list[tuple[str, float | None, str, float | None]]:
        """(indicator, progress %, colour, expected %) for indicators with a numeric target."""
        return [
            (f"{i['number']}. {i['name']}", i["progress"], i["colour"], i["expected"])
            for i in self.indicators
            if i["target_value"] is not None
        ]
