"""The office's roundup rules as pure functions: scores, colours, ranks, praise, assessment.

Outcomes and rates are ``tasks.rules.outcomes``; indicator progress is ``tasks.rules.indicators``.

Inputs are plain numbers and dicts (the settings as ``RoundupSettings.as_dict()``), so every rule
can be read and tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from tasks.rules.indicators import GREEN, NONE, RED, YELLOW
from tasks.rules.outcomes import OUTCOMES, empty_counts, finish_counts, rate

__all__ = ["GREEN", "NONE", "OUTCOMES", "RED", "YELLOW", "rate"]


def counts_rate(counts: dict) -> float | None:
    return rate(counts["done_on_time"], counts["due"])


def outside_weight(rules: dict) -> float:
    """How much an item from a meeting or an instruction (方案外事项) weighs beside a plan item (0-1).

    A snapshot frozen before the setting existed counted them as plan items: weight 1."""
    return float(rules.get("outside_weight", 1.0))


def outside_due(row: dict, rules: dict | None = None) -> tuple[int, int] | None:
    """Of a unit row's counts (a roundup's ``units``), how many items due it leads and supports came from meetings
    and instructions: ``(lead, support)``, the one source of every place that shows them (the roundup's unit
    table, its workbook and e-mail, the public page and its downloads).

    None when the row does not say: a snapshot frozen before such items existed (no ``outside``), or one whose
    ``rules`` did not count them (weight 0: they are only listed in their own section).
    """
    outside = row.get("outside")
    if outside is None or (rules is not None and not outside_weight(rules)):
        return None
    return tuple(int((outside.get(role) or {}).get("due", 0)) for role in ("lead", "support"))


def unit_counts(plan_counts: dict, outside_counts: dict, rules: dict) -> dict:
    """A unit's counts for one role as its results show them: its plan items, plus its items from
    meetings and instructions when they count (``outside_weight`` above 0)."""
    if not outside_weight(rules):
        return plan_counts
    return finish_counts({k: plan_counts[k] + outside_counts[k] for k in empty_counts()})


def unit_score(lead: dict, support: dict, rules: dict, outside: dict | None = None) -> float | None:
    """Average points per part due (0-100): the unit's led items and its supporting parts (配合到位).

    A unit with any part due, lead or supporting, is scored (and so ranked); only a unit with nothing due
    has no score. ``support_weight`` (0-1, a led item weighs 1) decides how much a supporting part counts
    *beside led items*, never whether the unit is scored: a unit that leads nothing due is scored on its
    supporting parts alone, each at full weight. That is the weighted average's own limit (with one kind
    of part the weight cancels out), so a department that only supports is judged on what it was asked
    to do, at the default weight 0 as at any other, and a lead unit's score is unchanged by its support
    parts at weight 0.

    ``lead`` and ``support`` are the plan's items; ``outside`` (``{"lead": counts, "support": counts}``)
    the unit's items from meetings and instructions, weighed by ``outside_weight`` (a supporting part of
    one by both weights). At weight 0 they are not counted at all (nor make the unit a lead unit); at 1
    the score is the one of all the unit's items taken alike.
    """
    points = {
        "done_on_time": rules["points_on_time"],
        "done_late": rules["points_late"],
        "awaiting_review": rules["points_awaiting"],
        "overdue": rules["points_overdue"],
    }
    outside = outside or {"lead": empty_counts(), "support": empty_counts()}
    w_out = outside_weight(rules)
    leads_due = lead["due"] or (w_out and outside["lead"]["due"])
    support_weight = float(rules["support_weight"]) if leads_due else 1.0
    total = weight = 0.0
    parts = ((lead, 1.0), (support, support_weight), (outside["lead"], w_out),
             (outside["support"], support_weight * w_out))
    for counts, w in parts:
        for outcome in OUTCOMES:
            total += w * points[outcome] * counts[outcome]
            weight += w * counts[outcome]
    return round(total / weight, 1) if weight else None


def scored_counts(lead: dict, support: dict) -> dict:
    """The counts a unit's colour and rank ties read, as ``unit_score`` scores it: its led items, or its
    supporting parts when it leads nothing due."""
    return lead if lead["due"] else support


def unit_colour(score: float | None, overdue: int, rules: dict) -> str:
    if score is None:
        return NONE
    if rules["red_min_overdue"] and overdue >= rules["red_min_overdue"]:
        return RED
    if score >= rules["green_min_score"]:
        return GREEN
    if score >= rules["yellow_min_score"]:
        return YELLOW
    return RED


def competition_ranks(keys: Iterable[tuple]) -> list[int]:
    """Ranks 1, 2, 2, 4 ... for keys already sorted best first; equal keys share a rank."""
    ranks: list[int] = []
    previous = None
    for i, key in enumerate(keys, start=1):
        ranks.append(ranks[-1] if key == previous else i)
        previous = key
    return ranks


def rank_key(row: dict) -> tuple:
    """Best first: higher score, then higher on-time rate, then fewer overdue (of the scored counts)."""
    counts = scored_counts(row, row["support"])
    rate_ = counts["on_time_rate"]
    return (-row["score"], -(rate_ if rate_ is not None else -1), counts["overdue"])


# -- quarterly bulletin and annual assessment ----------------------------------------------------


def praise_and_call_out(units: list[dict], rules: dict) -> tuple[list[dict], list[dict]]:
    """Units to praise (top N, high score, nothing overdue) and to call out (low score or many overdue)."""
    praise, call_out = [], []
    for row in units:
        if row["rank"] is None:
            continue
        overdue = scored_counts(row, row["support"])["overdue"]
        if (
            row["rank"] <= rules["praise_top_n"]
            and row["score"] >= rules["praise_min_score"]
            and overdue == 0
        ):
            praise.append(
                {"unit": row["unit"], "kind": row.get("kind", "department"), "rank": row["rank"], "score": row["score"],
                 "reasons": [_("排名第%(rank)d，得分%(score)g，无逾期事项") % row]}
            )
        reasons = []
        if row["score"] < rules["call_out_below_score"]:
            limit = rules["call_out_below_score"]
            reasons.append(_("得分%(score)g，低于%(limit)g分") % {"score": row["score"], "limit": limit})
        if rules["call_out_min_overdue"] and overdue >= rules["call_out_min_overdue"]:
            reasons.append(_("逾期未完成%(n)d项") % {"n": overdue})
        if reasons:
            call_out.append({"unit": row["unit"], "kind": row.get("kind", "department"), "rank": row["rank"],
                             "score": row["score"], "reasons": reasons})
    return praise, call_out


def assessment(units: list[dict], indicators: list[dict], rules: dict, shares: Iterable[dict] = ()) -> list[dict]:
    """Annual score per unit: weighted on-time rate and indicator attainment, less overdue deductions.

    A unit's indicators are those it leads (the city's figure) and its shares of broken-down targets
    (目标分解, ``shares``: rows with ``unit_id``, ``target_value`` and ``progress``), each attained up to 100 %.
    A unit without items due (or without indicators) gets the whole weight from the other part, so a town
    that holds only a share is scored on its share, never left out.
    """
    attainment: dict[int, list[float]] = {}
    for row, unit_id in [(ind, ind["lead_unit_id"]) for ind in indicators] + [(s, s["unit_id"]) for s in shares]:
        if unit_id is None or row["target_value"] is None:
            continue
        share = 0.0 if row["progress"] is None else min(row["progress"], 100.0) / 100
        attainment.setdefault(unit_id, []).append(share)
    w_rate, w_ind = rules["weight_on_time"], rules["weight_indicators"]
    rows = []
    for unit in units:
        counts = scored_counts(unit, unit["support"])
        on_time = counts_rate(counts)
        shares = attainment.get(unit["unit_id"])
        ind_rate = round(sum(shares) / len(shares), 4) if shares else None
        if on_time is None and ind_rate is None:
            continue
        if ind_rate is None:
            rate_points, ind_points = (w_rate + w_ind) * on_time, None
        elif on_time is None:
            rate_points, ind_points = None, (w_rate + w_ind) * ind_rate
        else:
            rate_points, ind_points = w_rate * on_time, w_ind * ind_rate
        deduction = min(rules["deduction_cap"], rules["deduction_per_overdue"] * counts["overdue"])
        total = max(0.0, (rate_points or 0.0) + (ind_points or 0.0) - deduction)
        rows.append(
            {
                "unit": unit["unit"],
                "unit_id": unit["unit_id"],
                "kind": unit.get("kind", "department"),
                "on_time_rate": on_time,
                "on_time_points": None if rate_points is None else round(rate_points, 1),
                "indicators": len(shares or []),
                "indicator_attainment": ind_rate,
                "indicator_points": None if ind_points is None else round(ind_points, 1),
                "overdue": counts["overdue"],
                "deduction": round(deduction, 1),
                "score": round(total, 1),
            }
        )
    # 地方 and 部门 are each ranked among their own kind.
    rows.sort(key=lambda r: (r["kind"] != "town", -r["score"], r["overdue"], r["unit"]))
    for kind in ("town", "department"):
        group = [r for r in rows if r["kind"] == kind]
        for row, rank in zip(group, competition_ranks((r["score"], r["overdue"]) for r in group), strict=True):
            row["rank"] = rank
    return rows
