"""Small rules behind the issue-13 forms: header names, deadline cells, run-together tasks, deadlines in a
task's sentence, unit lists with notes and several leads."""

from datetime import date

import pytest

from tasks.importers import parse_plan_text, split_units
from tasks.importers.blocks import is_header_word, split_run_on
from tasks.importers.statements import find_sentence_deadlines, find_statements
from tasks.importers.tables import infer_schema, looks_like_deadline


@pytest.mark.parametrize("word", ["牵头单位", "协同责任单位", "计划完成时间", "进度安排", "牵头单位（部门）",
                                  "责任单位（列第一位为牵头单位）", "数据提供单位", "牵头负责领导"])
def test_header_words(word):
    assert is_header_word(word)


@pytest.mark.parametrize("text", ["市住建局", "推进老旧小区改造", "2024年6月底前"])
def test_not_header_words(text):
    assert not is_header_word(text)


@pytest.mark.parametrize("cell", ["2024年6月底前", "全年", "长期坚持", "每季度末", "11月", "2021.12", "年底前"])
def test_deadline_cells(cell):
    assert looks_like_deadline(cell)


@pytest.mark.parametrize("cell", ["扩大保障性租赁住房供给，年内新增筹集", "市住建局", "1.5万套", ""])
def test_not_deadline_cells(cell):
    assert not looks_like_deadline(cell)


def test_run_together_tasks_split_only_at_the_next_number():
    line = "12、推进改造。（责任单位：市住建局）13、加强管理（含1、2号楼）。（责任单位：市城管局）"
    assert split_run_on(line) == [
        "12、推进改造。（责任单位：市住建局）", "13、加强管理（含1、2号楼）。（责任单位：市城管局）"]
    assert split_run_on("1.完成2.5万套改造。") == ["1.完成2.5万套改造。"]


def test_sentence_deadlines_keep_milestones_in_order():
    found = find_sentence_deadlines("5月底前动工，10月底前完工，12月投入使用", 2024)
    assert [(m.deadline_text, m.deadline, m.text) for m in found] == [
        ("5月底前", date(2024, 5, 31), "5月底前动工"),
        ("10月底前", date(2024, 10, 31), "10月底前完工"),
        ("12月", date(2024, 12, 31), "12月投入使用"),
    ]


@pytest.mark.parametrize("text", ["到2027年全面完成2000年底前建成的小区改造", "在一年内开展解危", "3月至6月开展排查"])
def test_past_dates_periods_and_ranges_are_no_deadline(text):
    assert find_sentence_deadlines(text, 2023) == []


def test_units_notes_and_separators():
    split = split_units("市住建局、市卫生健康委（除标注“分别牵头”外，列第一位为牵头或汇总单位，下同）")
    assert split.names == ["市住建局", "市卫生健康委"]
    assert split_units("市住建局及各县区政府").names == ["市住建局", "各县区政府"]
    assert split_units("市住房和城乡建设局").names == ["市住房和城乡建设局"]
    assert split_units("市住建局、市财政局等有关部门按职责分工负责").names == ["市住建局", "市财政局"]


def test_several_leads():
    (st,) = find_statements("（市住建局、市自然资源局分别牵头，市财政局配合）")
    assert (st.leads, st.supports) == (["市住建局", "市自然资源局"], ["市财政局"])
    (st,) = find_statements("（责任单位：市住建局、市发改局按职责分工牵头）")
    assert st.leads == ["市住建局", "市发改局"]


def test_parentheses_in_task_text_are_not_units():
    plan = parse_plan_text("\n".join([
        "某某市住房工作方案",
        "一、重点任务",
        "1.筹集房源（含人才公寓）。实物保障与租赁补贴并举（以租赁补贴为主）。（责任单位：市住建局、市财政局）",
        "二、保障措施",
    ]))
    (task,) = plan.key_tasks
    assert (task.lead_units, task.supporting_units) == (["市住建局"], ["市财政局"])


def test_header_less_table_columns_inferred_from_cells():
    schema = infer_schema([["1", "新开工保障性住房500套", "市住建局", "市发改局、市财政局", "9月底前"],
                           ["2", "完成征迁1000户", "市城改办", "各区政府", "年底前"]], line=3, known=frozenset())
    assert schema.task_cols == [1]
    assert schema.cols == {"num": 0, "lead": 2, "support": 3, "deadline": 4}
    assert schema.inferred


def test_a_collective_of_levels_is_one_unit():
    # the labelling convention of tables_tune/README.md: "各县、市、区政府" is one unit
    assert split_units("各县、市、区政府,市直有关单位").names == ["各县、市、区政府", "市直有关单位"]
    assert split_units("各市、县(市、区)人民政府").names == ["各市、县(市、区)人民政府"]
    assert split_units("各区、市直各部门").names == ["各区", "市直各部门"]


def test_jiaoban_and_zhenggai_headers_name_their_columns():
    from tasks.importers.tables import _role

    assert [(_role(h) or ("", None))[0] for h in ("交办事项", "督办事项", "问题", "整改措施", "责任人", "整改时限",
                                                  "办理时限")] == [
        "task", "task", "task", "task", "leader", "deadline", "deadline"]
