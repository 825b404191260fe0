"""The API's shapes: query parameters in, the roundup's own rows out (same keys and types as ``roundup --json``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tasks.inputs import wide_digits
from tasks.roundups.periods import KINDS, MONTH

COLOURS = ["green", "yellow", "red", "none"]


class BoundedDateField(serializers.DateField):
    """A date query parameter under the forms' rules (``tasks.forms.BoundedDateField``): ASCII digits, inside
    ``workdays.input_bounds`` (2000-2100), refused with a 400 that names the parameter."""

    def __init__(self, **kwargs):
        from tasks.forms import check_date

        super().__init__(validators=[check_date], **kwargs)

    def to_internal_value(self, value):
        if wide_digits(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class StatusQuerySerializer(serializers.Serializer):
    as_of = BoundedDateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="YYYY-MM-DD; the figures are those at the end of this day (default: today, Asia/Shanghai).",
        error_messages={"invalid": _("as_of 应为 YYYY-MM-DD 格式的日期，例如 2026-10-31。")},
    )
    period = serializers.ChoiceField(
        choices=KINDS,
        default=MONTH,
        help_text="month, quarter or year: the period that contains as_of (default: month).",
        error_messages={"invalid_choice": _("period 应为 month、quarter 或 year 之一。")},
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        help_text="List only the first N of overdue_items (0-100; by default all of them, as roundup --json).",
        error_messages={
            "invalid": _("limit 应为 0 到 100 之间的整数。"),
            "min_value": _("limit 应为 0 到 100 之间的整数。"),
            "max_value": _("limit 应为 0 到 100 之间的整数。"),
        },
    )

    def validate_as_of(self, value):
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError(_("as_of 不能晚于今天（%(today)s）。") % {"today": today.isoformat()})
        return value


class PlanSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    region = serializers.CharField(source="region.name")
    issuer = serializers.CharField()
    first_year = serializers.IntegerField()
    last_year = serializers.IntegerField()
    scope = serializers.SerializerMethodField(
        help_text="plan: read whole (coordinator); unit: the user's unit's share."
    )
    status_url = serializers.SerializerMethodField()

    def get_scope(self, plan) -> str:
        return "plan" if plan.is_coordinated else "unit"

    def get_status_url(self, plan) -> str:
        url = reverse("api:plan_status", args=[plan.slug])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class CountsSerializer(serializers.Serializer):
    due = serializers.IntegerField()
    done_on_time = serializers.IntegerField()
    done_late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    awaiting_review = serializers.IntegerField()
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text="done_on_time / due, a fraction; null if none due."
    )


class CumulativeUnitSerializer(serializers.Serializer):
    lead = CountsSerializer()
    support = CountsSerializer()


class SummarySerializer(CountsSerializer):
    cumulative = CountsSerializer(help_text="The same counts from the start of the year to as_of.")
    units = serializers.IntegerField(help_text="How many units are listed in units.")
    units_by_colour = serializers.DictField(child=serializers.IntegerField())
    indicators_by_colour = serializers.DictField(child=serializers.IntegerField())
    indicators_not_reported = serializers.IntegerField()


class UnitRowSerializer(CountsSerializer):
    unit = serializers.CharField()
    # A CharField: a second choice set named "kind" (the period's is one) would collide in the schema's enums.
    kind = serializers.CharField(help_text="town (地方) or department (部门): ranks run within each kind.")
    unit_id = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    previous_rank = serializers.IntegerField(allow_null=True)
    rank_change = serializers.IntegerField(allow_null=True)
    colour = serializers.ChoiceField(choices=COLOURS)
    support = CountsSerializer(help_text="The unit's items as a supporting unit (the counts above are as lead).")
    cumulative = CumulativeUnitSerializer(help_text="Lead and supporting counts from the start of the year.")
    outside = CumulativeUnitSerializer(
        required=False,
        help_text="Of the counts above (lead) and in support, those of items from meetings and instructions, as "
                  "they counted by the rules' outside_weight (zeros at weight 0); absent from older snapshots.")
    notices_issued = serializers.IntegerField(help_text="督办单 issued to the unit in the period.")
    notices_answered = serializers.IntegerField()


class UnitRefSerializer(serializers.Serializer):
    unit = serializers.CharField()
    unit_id = serializers.IntegerField()
    kind = serializers.CharField(help_text="town or department.")
    target_shares = serializers.IntegerField(required=False, help_text="Shares of this year's targets it holds.")


class IndicatorRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    name = serializers.CharField()
    indicator = serializers.CharField(help_text="The name with its measure, as printed in the roundup.")
    domain = serializers.CharField()
    measure = serializers.CharField()
    cumulative = serializers.BooleanField()
    lead_unit = serializers.CharField(allow_null=True)
    lead_unit_id = serializers.IntegerField(allow_null=True)
    baseline = serializers.CharField(allow_null=True)
    baseline_value = serializers.FloatField(allow_null=True)
    target_text = serializers.CharField(allow_null=True)
    target_value = serializers.FloatField(allow_null=True)
    comparator = serializers.CharField()
    actual = serializers.FloatField(allow_null=True, help_text="The latest report by as_of, as stored.")
    places = serializers.IntegerField(help_text="Decimals actual_text is written with.")
    actual_text = serializers.CharField(allow_null=True, help_text="actual as shown everywhere (page, roundup, email).")
    actual_month = serializers.CharField(allow_null=True, help_text="YYYY-MM of the latest report by as_of.")
    reported_in_period = serializers.BooleanField()
    progress = serializers.FloatField(allow_null=True, help_text="Percent of this year's target.")
    expected = serializers.FloatField(allow_null=True, help_text="Percent expected by as_of (序时进度).")
    attained = serializers.BooleanField(allow_null=True)
    colour = serializers.ChoiceField(choices=COLOURS)


class TargetShareRowSerializer(serializers.Serializer):
    unit = serializers.CharField()
    unit_id = serializers.IntegerField()
    kind = serializers.CharField(help_text="town or department.")
    indicator_id = serializers.IntegerField()
    number = serializers.IntegerField()
    indicator = serializers.CharField()
    target_value = serializers.FloatField(allow_null=True, help_text="The unit's share of this year's target.")
    target_text = serializers.CharField(allow_null=True)
    comparator = serializers.CharField()
    actual = serializers.FloatField(allow_null=True, help_text="The unit's latest actual reported by as_of.")
    actual_text = serializers.CharField(allow_null=True)
    actual_month = serializers.CharField(allow_null=True)
    progress = serializers.FloatField(allow_null=True)
    expected = serializers.FloatField(allow_null=True)
    attained = serializers.BooleanField(allow_null=True)
    colour = serializers.ChoiceField(choices=COLOURS)


class KeyTaskRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    section = serializers.CharField()
    title = serializers.CharField()
    lead_units = serializers.ListField(child=serializers.CharField())
    total = serializers.IntegerField(help_text="This year's items due by the year's end, not done before it.")
    done = serializers.IntegerField()
    pending = serializers.IntegerField()
    awaiting_review = serializers.IntegerField()
    overdue = serializers.IntegerField()
    done_rate = serializers.FloatField(allow_null=True)


class PraiseRowSerializer(serializers.Serializer):
    unit = serializers.CharField()
    kind = serializers.CharField()
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class AssessmentRowSerializer(serializers.Serializer):
    unit = serializers.CharField()
    unit_id = serializers.IntegerField()
    kind = serializers.CharField()
    on_time_rate = serializers.FloatField(allow_null=True)
    on_time_points = serializers.FloatField(allow_null=True)
    indicators = serializers.IntegerField()
    indicator_attainment = serializers.FloatField(allow_null=True)
    indicator_points = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField()
    deduction = serializers.FloatField()
    score = serializers.FloatField()
    rank = serializers.IntegerField()
class BurdenRowSerializer(serializers.Serializer):
    unit = serializers.CharField()
    unit_id = serializers.IntegerField()
    kind = serializers.CharField()
    reports_requested = serializers.IntegerField()
    evidence_demanded = serializers.IntegerField(
        help_text="Close requests that had to carry evidence, as each recorded when it was made.")
    reminders = serializers.IntegerField()
    notices = serializers.IntegerField()
    sign_chases = serializers.IntegerField()
    asked_twice = serializers.IntegerField(help_text="Of the asks above, those for material already given.")
    undelivered = serializers.IntegerField(
        required=False, help_text="Reminders and 督办单 that never reached the unit (every message failed): in no "
                                  "count above nor the total; absent from appendices frozen before it was counted.")
    total = serializers.IntegerField()
    months = serializers.ListField(child=serializers.IntegerField(), help_text="Total asks per month, January first.")


class OverdueItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    key_task = serializers.IntegerField(allow_null=True)
    lead_unit = serializers.CharField(allow_null=True)
    deadline = serializers.DateField(allow_null=True, help_text="The deadline as first set.")
    due_date = serializers.DateField(help_text="The deadline in force at as_of.")
    extended = serializers.BooleanField()
    days_overdue = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    last_note = serializers.CharField(allow_null=True)
    last_note_on = serializers.DateField(allow_null=True)


class OutsideItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    origin = serializers.ChoiceField(choices=["meeting", "instruction"])
    origin_label = serializers.CharField()
    origin_ref = serializers.CharField(help_text="The document number or meeting, as entered.")
    lead_unit = serializers.CharField(allow_null=True)
    due_date = serializers.DateField(help_text="The deadline in force at as_of.")
    status = serializers.CharField()
    status_label = serializers.CharField()
    outcome = serializers.CharField(help_text="done_on_time, done_late, awaiting_review, overdue or none.")


class PlanRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    region = serializers.CharField()


class PeriodRefSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class PeriodSerializer(PeriodRefSerializer):
    kind = serializers.ChoiceField(choices=KINDS)
    key = serializers.CharField(help_text="2026-10, 2026-Q4 or 2026.")
    title = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="The period's end, or as_of when that comes first.")
    year_start = serializers.DateField()
    complete = serializers.BooleanField(help_text="Whether the period had ended by as_of.")


class PlanStatusSerializer(serializers.Serializer):
    """The roundup document (``roundup --json``), as the user may read it. Describes the response; the
    view returns the document as built."""

    version = serializers.IntegerField(help_text="The document's version.")
    plan = PlanRefSerializer()
    period = PeriodSerializer()
    previous_period = PeriodRefSerializer()
    as_of = serializers.DateField()
    rules = serializers.DictField(help_text="The office's roundup rules the figures were computed with.")
    summary = SummarySerializer(help_text="The whole plan's items due by as_of in the period, by outcome.")
    units = UnitRowSerializer(many=True, help_text="Units with a part due, ranked within their kind.")
    units_without_due = UnitRefSerializer(many=True, help_text="Units with nothing due in the period.")
    indicators = IndicatorRowSerializer(many=True)
    target_shares = TargetShareRowSerializer(
        many=True, required=False,
        help_text="Each unit's share of this year's indicator targets (目标分解) and its progress; absent from "
                  "snapshots published before shares were listed.")
    key_tasks = KeyTaskRowSerializer(many=True)
    overdue_items = OverdueItemSerializer(many=True, help_text="Open past their deadline, most overdue first.")
    outside_items = OutsideItemSerializer(
        many=True, required=False,
        help_text="Items from meetings and leaders' instructions due by the period's end (issue 34); absent from "
                  "snapshots published before them.")
    praise = PraiseRowSerializer(many=True, help_text="Quarterly bulletins only.")
    call_out = PraiseRowSerializer(many=True, help_text="Quarterly bulletins only.")
    assessment = AssessmentRowSerializer(many=True, help_text="Annual assessments only.")
    burden = BurdenRowSerializer(
        many=True, required=False, allow_null=True,
        help_text="Annual assessments only: the appendix 基层负担, what the app asked of each unit over the year "
                  "(never scored). null: not recorded (an assessment published before the appendix existed; it is "
                  "not computed afterwards).")
    scope = serializers.ChoiceField(choices=["plan", "unit"])
    unit = serializers.CharField(allow_null=True, help_text="The liaison's unit when scope is unit.")
