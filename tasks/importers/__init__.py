"""Plan-document parser: pure Python, no Django. Text, .docx or .pdf in; ``ParsedPlan`` out."""

from .deadlines import parse_deadline
from .document import (
    ParsedIndicator,
    ParsedKeyTask,
    ParsedMilestone,
    ParsedPlan,
    ParsedTable,
    ParsedUnit,
    ParsedValue,
    ParsedWorkItem,
    PlanParseError,
    Warning_,
)
from .parser import parse_plan_file, parse_plan_text
from .units import split_units

__all__ = [
    "ParsedIndicator",
    "ParsedKeyTask",
    "ParsedMilestone",
    "ParsedPlan",
    "ParsedTable",
    "ParsedUnit",
    "ParsedValue",
    "ParsedWorkItem",
    "PlanParseError",
    "Warning_",
    "parse_deadline",
    "parse_plan_file",
    "parse_plan_text",
    "split_units",
]
