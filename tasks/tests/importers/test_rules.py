"""Document rules on small texts: carry-forward, broken lines, cut-off tasks, titles, warnings."""

import pytest

from tasks.importers import PlanParseError, parse_plan_text

HEAD = "某某市住房工作专班办公室\n某某市住房保障实施方案(2023—2027年)\n三、重点任务\n"


def test_carry_forward_adds_the_collective_to_later_tasks_only_once():
    plan = parse_plan_text(HEAD + (
        "1.甲任务。做甲。(责任单位:市住建局、市发改局、各镇(街道)。列第一位的为牵头单位,下同;"
        "以下均需镇(街道)落实,不再列出)\n"
        "2.乙任务。做乙。(责任单位:市发改局、市财政局)\n"
        "3.丙任务。做丙。(责任单位:市财政局、各镇(街道))\n"
    ))
    assert [t.supporting_units for t in plan.key_tasks] == [
        ["市发改局", "各镇(街道)"],
        ["市财政局", "各镇(街道)"],
        ["各镇(街道)"],
    ]
    assert [t.lead_units for t in plan.key_tasks] == [["市住建局"], ["市发改局"], ["市财政局"]]
    assert any(u.name == "各镇(街道)" and u.kind == "collective" for u in plan.units)


def test_carry_forward_with_its_own_collective_name():
    plan = parse_plan_text(HEAD + (
        "1.甲任务。做甲。(责任单位:市住建局;以下均需各乡镇(街道)落实,不再列出)\n"
        "2.乙任务。做乙。(责任单位:市发改局)\n"
    ))
    assert plan.key_tasks[0].supporting_units == ["各乡镇(街道)"]
    assert plan.key_tasks[1].supporting_units == ["各乡镇(街道)"]


def test_text_broken_across_lines_and_pages_is_joined():
    plan = parse_plan_text(HEAD + (
        "\n1. 扩大供给。提升面向社\n\n会公众出租房源比例。(责任单位:区建设局、\n区发改局)\n\n"
        "2. 提升能力。做好保障。（责任单位：区建设局）\n"
    ))
    t1 = plan.key_tasks[0]
    assert t1.text == "扩大供给。提升面向社会公众出租房源比例。(责任单位:区建设局、区发改局)"
    assert t1.supporting_units == ["区发改局"]
    assert t1.line == 5


def test_page_numbers_between_broken_lines_are_dropped():
    plan = parse_plan_text(HEAD + "1.扩大供给。提升面向社\n— 3 —\n会公众比例。(责任单位:区建设局)\n")
    assert "面向社会公众比例" in plan.key_tasks[0].text


def test_cut_off_task_is_kept_with_a_warning_and_its_line():
    plan = parse_plan_text(HEAD + (
        "1.甲任务。做甲。(责任单位:市住建局)\n"
        "2.乙任务。做乙,文件在此处截断,没有写完\n"
    ))
    assert [t.number for t in plan.key_tasks] == [1, 2]
    cut = plan.key_tasks[1]
    assert cut.lead_units == [] and cut.supporting_units == [] and cut.title == "乙任务"
    (w,) = [w for w in plan.warnings if w.code == "task_without_units"]
    assert w.line == 5


def test_unclosed_statement_is_read_and_warned():
    plan = parse_plan_text(HEAD + "1.甲任务。做甲。(责任单位:市住建局、市财政局\n")
    assert plan.key_tasks[0].supporting_units == ["市财政局"]
    assert [w.code for w in plan.warnings if w.code == "statement_unclosed"] == ["statement_unclosed"]


def test_title_broken_over_two_lines_is_joined():
    plan = parse_plan_text(
        "某某市住房工作专班办公室\n某某市推进“住有宜居”打造“安居某城”品牌\n实施方案(2024—2028年)\n"
        "三、重点任务\n1.甲任务。做甲。(责任单位:市住建局)\n"
    )
    assert plan.title == "某某市推进“住有宜居”打造“安居某城”品牌实施方案(2024—2028年)"
    assert (plan.region, plan.first_year, plan.last_year) == ("某某市", 2024, 2028)
    assert plan.issuer == "某某市住房工作专班办公室"


def test_safeguards_section_is_not_tasks():
    plan = parse_plan_text(HEAD + (
        "1.甲任务。做甲。(责任单位:市住建局)\n四、保障措施\n(一)加强统筹协调。成立专班。(责任单位:市委办)\n"
    ))
    assert [t.title for t in plan.key_tasks] == ["甲任务"]


def test_text_without_tasks_is_refused():
    with pytest.raises(PlanParseError, match="no key tasks"):
        parse_plan_text("某某市住房发展规划\n第一章 发展现状\n一、现状\n覆盖率达到20%。\n", source="x.txt")
    with pytest.raises(PlanParseError, match="empty"):
        parse_plan_text("\n \n", source="x.txt")


def test_letter_spaced_text_as_pdfs_extract_it():
    plan = parse_plan_text(HEAD + "1. 扩 大 供 给 。 加 快 筹 集 。 "
                                  "（ 责 任 单 位 ： 市 住 建 局 、 市 财 政 局 ）\n")
    (task,) = plan.key_tasks
    assert (task.title, task.lead_units, task.supporting_units) == ("扩大供给", ["市住建局"], ["市财政局"])
