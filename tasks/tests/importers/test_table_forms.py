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
def _units_of(text):
    return [(t.title[:6], t.lead_units, t.supporting_units) for t in parse_plan_text(text).key_tasks]


def test_table_written_as_records():
    # tongxin_gzbg_2023's form: each column name on its own line, its value on the next
    text = "\n".join(["某县重点任务分解", "具体任务", "新建城区公办幼儿园3所,新增学位900个。", "责任单位",
                      "教育局、住建局", "配合单位", "各乡镇", "完成时限", "12月底前"])
    assert _units_of(text) == [("新建城区公办", ["教育局", "住建局"], ["各乡镇"])]


def test_name_value_pairs_read_as_one_row():
    # guangzhou_zdgz_2023's form: "重点工作: | … |" then "牵头单位: | … |"
    text = ("重点工作: | 12.推进违法建设分类治理。 |\n牵头单位: | 市城市管理综合执法局 |\n"
            "年度阶段性工作目标: | 第四季度:完成年度工作任务。 |\n")
    first = _units_of(text)[0]
    assert "推进违" in first[0] and first[1:] == (["市城市管理综合执法局"], [])


def test_cell_per_line_rows_without_numbers():
    # nanning_jjsf_2007's form: the unit column first, no 序号, no numbered tasks
    text = "\n\n".join(["职责分工", "责任单位", "工作职责", "市发改委", "负责项目立项工作", "市规划局",
                        "负责新项目规划选址工作", "各城区政府、开发区管委会", "负责本辖区内项目的征地拆迁工作"])
    assert _units_of(text) == [("负责项目立项", ["市发改委"], []), ("负责新项目规", ["市规划局"], []),
                               ("负责本辖区内", ["各城区政府"], ["开发区管委会"])]


def test_single_spaced_pdf_rows():
    # pingdingshan_hzz_2018's form: one row a line, cells parted by single spaces, a category word broken
    text = "\n".join(["主要任务分解表", "序号 类别 主要任务 细化措施 牵头单位 参与单位",
                      "1 水资源保 护 严守用水总量红线 实施双控行动,控制用水总量。 市水利局 市发展改革委、农业局等",
                      "2  严守用水 效率红线 落实用水效率评估体系。 市水利局 市住房城乡建设局"])
    assert _units_of(text) == [("水资源保护严", ["市水利局"], ["市发展改革委", "农业局"]),
                               ("严守用水效率", ["市水利局"], ["市住房城乡建设局"])]


def test_single_spaced_pdf_rows_with_an_empty_cell_that_printed_nothing():
    # a row without 配合单位 (and one without a deadline) no longer ends the table and loses the rows after it
    text = "\n".join(["序号 主要任务 牵头单位 配合单位 完成时限",
                      "1 推进老旧小区改造 县住建局 县财政局 6月底前",
                      "2 完成农贸市场改造 县市场监管局 9月底前",
                      "3 新增城镇就业1000人 县人社局 县财政局 年底前",
                      "4 做好防汛值守 县应急局 县水利局"])
    assert _units_of(text) == [("推进老旧小区", ["县住建局"], ["县财政局"]), ("完成农贸市场", ["县市场监管局"], []),
                               ("新增城镇就业", ["县人社局"], ["县财政局"]),
                               ("做好防汛值守", ["县应急局"], ["县水利局"])]
