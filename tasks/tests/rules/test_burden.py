"""The rules of 基层减负: the kinds of item, when evidence is required and demanded, the total of asks."""

from tasks.rules import burden


def test_a_part_is_a_part_whatever_its_origin_else_its_origin():
    assert burden.item_kind(origin="plan", is_part=False) == burden.PLAN_ITEM
    assert burden.item_kind(origin="meeting", is_part=False) == burden.MEETING
    assert burden.item_kind(origin="instruction", is_part=False) == burden.INSTRUCTION
    assert burden.item_kind(origin="meeting", is_part=True) == burden.PART
    assert burden.item_kind(origin="unknown", is_part=False) == burden.PLAN_ITEM


def test_evidence_is_demanded_only_where_required_and_none_is_on_file():
    assert not burden.evidence_required(kind=burden.PLAN_ITEM, required_kinds=())
    assert burden.evidence_required(kind=burden.MEETING, required_kinds=[burden.MEETING])
    assert burden.evidence_demanded(required=True, on_file=False)
    assert not burden.evidence_demanded(required=True, on_file=True)
    assert not burden.evidence_demanded(required=False, on_file=False)


def test_the_total_leaves_out_the_asks_counted_twice():
    row = dict.fromkeys(burden.COUNTS, 1)
    assert burden.total_asks(row) == len(burden.ASK_KINDS) == 5
