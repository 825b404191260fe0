"""The minutes parser: each way minutes name who does a decision, and by when."""

from datetime import date
from pathlib import Path

import pytest

from tasks.importers.deadlines import relative_deadline
from tasks.importers.decisions import _joined_lists, parse_decisions, read_decisions

HERE = Path(__file__).parent / "decisions"


def _one(text: str, year: int = 2026):
    parsed = parse_decisions(text, year=year)
    assert len(parsed.items) == 1, parsed.as_json()
    return parsed.items[0]


def test_lead_and_supporting_with_a_deadline():
    d = _one("二、由县住建局牵头，县财政局、县自然资源局配合，于6月底前完成改造方案编制。")
    assert (d.lead_units, d.supporting_units, d.deadline) == (["县住建局"], ["县财政局", "县自然资源局"],
                                                              date(2026, 6, 30))


def test_several_leads_each_responsible():
    d = _one("三、县发改委、县住建局分别负责保障性住房项目的申报工作，9月30日前完成。")
    assert d.lead_units == ["县发改委", "县住建局"] and d.supporting_units == []
    assert d.deadline == date(2026, 9, 30)


def test_a_unit_name_with_he_stays_whole_and_two_names_joined_by_he_split():
    d = _one("1. 市住房和城乡建设局和市财政局牵头，有关部门参与，三季度末前提出意见。")
    assert d.lead_units == ["市住房和城乡建设局", "市财政局"] and d.supporting_units == ["有关部门"]
    assert d.deadline == date(2026, 9, 30)


def test_labelled_fields():
    d = _one("（二）牵头单位：县住建局；配合单位：县税务局、县人民银行；完成时限：2027年3月底前。")
    assert (d.lead_units, d.supporting_units, d.deadline) == (["县住建局"], ["县税务局", "县人民银行"],
                                                              date(2027, 3, 31))


def test_charged_unit_and_towns_as_written():
    d = _one("4、责成县城管局对加装电梯项目开展摸排，4月15日前报送结果。")
    assert d.lead_units == ["县城管局"] and d.deadline == date(2026, 4, 15)
    d = _one("五、由县市场监管局负责，各镇（街道）配合，开展专项整治，年底前完成。")
    assert d.lead_units == ["县市场监管局"] and d.supporting_units == ["各镇（街道）"]
    assert d.deadline == date(2026, 12, 31)


def test_context_paragraphs_are_not_decisions_and_the_year_comes_from_the_minutes():
    parsed = parse_decisions((HERE / "专班会议纪要.txt").read_text(encoding="utf-8"))
    assert parsed.year == 2026
    assert len(parsed.items) == 6
    assert all("听取" not in d.text for d in parsed.items)
    assert parsed.warnings == []
    assert parsed.as_json()["items"][0] == {
        "text": "关于城中村改造。由县住建局牵头，县财政局、县自然资源局配合，于6月底前完成改造方案编制。",
        "lead_units": ["县住建局"], "supporting_units": ["县财政局", "县自然资源局"], "deadline": "2026-06-30",
    }


def test_a_decision_without_deadline_or_lead_is_warned_with_its_line():
    parsed = parse_decisions("一、县财政局配合做好资金保障。\n二、由县住建局负责做好宣传工作。", year=2026)
    assert [d.lead_units for d in parsed.items] == [[], ["县住建局"]]
    messages = [w.message for w in parsed.warnings]
    assert any("第1行" in m and "牵头" in m for m in messages)
    assert any("第2行" in m and "时限" in m for m in messages)


def test_text_with_no_decision_says_so():
    parsed = parse_decisions("会议听取了汇报。会议指出，要高度重视。", year=2026)
    assert parsed.items == [] and parsed.warnings[0].message.startswith("没有找到")


# Regressions from the tuning half of the issue-34 corpus (tasks/tests/importers/decisions_tune/, real
# published minutes); the held-out half is never quoted here.
TUNE = Path(__file__).parent / "decisions_tune"


def test_fields_on_the_lines_under_a_numbered_item_and_zerenjigou_beside_a_qiantou_unit_supports():
    parsed = parse_decisions((TUNE / "lishan_zdgz_2023.txt").read_text(encoding="utf-8"), year=2023)
    first = parsed.items[0]
    assert first.text.startswith("努力实现地区生产总值增长6.2%左右")
    assert first.lead_units == ["区发改局"] and first.supporting_units == ["立山经济开发区", "全区经济运行各专班"]
    leads = [d.lead_units for d in parsed.items]
    assert leads == [["区发改局"], ["区工信局"], ["区发改局"], ["区商务局"], ["区财政局"], ["区发改局"]]


def test_a_lone_zeren_field_is_still_the_lead():
    d = _one("（三）完善老旧小区改造机制。责任单位：县住建局、县财政局；完成时限：2026年6月底前。")
    assert d.lead_units == ["县住建局", "县财政局"] and d.supporting_units == []


def test_a_person_who_leads_is_not_a_unit_the_units_responsible_are_the_leads():
    d = _one("会议明确,由马娜牵头,区收储办、区自然资源和规划分局负责,及时收集汇总全区项目涉及的土地规划需求。")
    assert d.lead_units == ["区收储办", "区自然资源和规划分局"] and d.supporting_units == []


def test_a_list_ends_at_deng_and_manner_words_are_not_part_of_a_unit():
    d = _one("县国土资源局牵头,县发改局、县住建局等部门密切配合,抢抓时间,全力推进本次永久基本农田划定工作。")
    assert (d.lead_units, d.supporting_units) == (["县国土资源局"], ["县发改局", "县住建局"])


def test_qing_x_huitong_y_and_yaoqiu_x_qiantou_inside_minutes():
    parsed = parse_decisions((TUNE / "yongkang_changwu_2011.txt").read_text(encoding="utf-8"), year=2011)
    assert [(d.lead_units, d.supporting_units) for d in parsed.items] == [
        (["水务部门"], []), (["国土"], ["发改", "财政"])]
    assert all(d.deadline is None for d in parsed.items)  # "在半个月之内" is relative: the coordinator sets it


def test_x_yao_charges_a_named_unit_but_not_a_mere_collective():
    parsed = parse_decisions((TUNE / "yueyanglou_guishan_2012.txt").read_text(encoding="utf-8"), year=2012)
    assert [(d.lead_units, d.supporting_units, d.deadline) for d in parsed.items] == [
        (["吕仙亭街道办事处"], ["各有关单位"], None),
        (["区交通建设局"], [], None),
        (["区水务局"], [], None),  # "纳入今年…计划" mentions the year; it is not a deadline
        (["吕仙亭街道办事处", "龟山社区居委会"], [], date(2012, 12, 31)),
    ]
    assert parse_decisions("会议要求，各相关部门要狠抓责任落实。", year=2026).items == []


def test_qing_x_names_the_unit_up_to_what_it_is_to_do():
    d = _one("二、请海航集团结合会议讨论的意见,尽快把合作备忘录签订的重点合作领域明确化。")
    assert d.lead_units == ["海航集团"]
    d = _one("在县住房城乡建设局设置办公室并负责总牵头工作,负责统筹推进全县建设提升工作。")
    assert d.lead_units == ["县住房城乡建设局"] and d.supporting_units == []


def test_items_run_together_on_one_line_are_split_and_a_unit_leader_attending_charges_nobody():
    parsed = parse_decisions((TUNE / "longzhong_xianchang.txt").read_text(encoding="utf-8"))
    assert [d.lead_units for d in parsed.items] == [["隆中文化园公司"], ["隆中文化园公司"]]
    assert parsed.items[0].text.startswith("要千方百计确保草庐剧场顺利建成")  # not the attendance list before it


def test_two_units_joined_by_he_when_one_is_a_district():
    d = _one("会议明确:同意在经济开发区给中坚公司供地120亩,由经济开发区和国土局负责落实。")
    assert d.lead_units == ["经济开发区", "国土局"]


def test_field_lines_under_an_item_and_a_person_field_among_them():
    parsed = parse_decisions((TUNE / "yongkang_zhongdian_2008.txt").read_text(encoding="utf-8"), year=2008)
    first = parsed.items[0]
    assert first.text.startswith("推进总部中心") and "责任领导" in first.text
    assert first.lead_units == ["总部办", "经济开发区", "五金城", "科技局"]  # 责任单位 alone: the leads
    assert first.supporting_units == ["经贸局", "国土资源局", "建设局", "规划局", "交通局", "东城街道"]
    assert len(parsed.items) == 5


def test_short_names_a_clause_calls_departments_are_charged():
    d = _one("要认真负责。公安、应急、综合执法、市场监管等部门要强化执法力度,完善联合执法机制。")
    assert d.lead_units == ["公安", "应急", "综合执法", "市场监管"]
    assert parse_decisions("要认真负责,监督务必到位。", year=2026).items == []


def test_a_table_laid_out_one_cell_per_line_gives_a_decision_per_row():
    text = "\n\n".join(["序号", "内容与要求", "进展情况", "责任单位", "完成时限",
                        "1", "推进老旧小区改造。", "已开工3个。", "县住建局", "2026年9月底前",
                        "2", "完善公积金政策。", "正在调研。", "县公积金中心、县财政局", "年底前"])
    parsed = parse_decisions(text, year=2026)
    assert [(d.text, d.lead_units, d.deadline) for d in parsed.items] == [
        ("推进老旧小区改造。", ["县住建局"], date(2026, 9, 30)),
        ("完善公积金政策。", ["县公积金中心", "县财政局"], date(2026, 12, 31)),
    ]
    assert all("已开工" not in d.text for d in parsed.items)  # the progress column is not the decision


def _tune(name: str, year: int | None):
    parsed = parse_decisions((TUNE / name).read_text(encoding="utf-8"), year=year)
    return [(d.lead_units, d.supporting_units, d.deadline) for d in parsed.items]


def test_each_unit_charged_in_one_sentence_is_a_decision_of_its_own():
    assert _tune("puyang_daolu_2017.txt", 2017) == [
        (["城关镇", "清河头乡", "城东办"], [], None),
        (["城东办"], [], None),  # "一周内完成…" is no date
        (["清河头乡"], [], None),
        (["县市政局"], [], None),
        (["县市政局", "房产局"], [], None),  # X、Y等部门要密切配合 with nobody else leading: they lead
    ]
    d = parse_decisions("会议要求,县财政局要做好评审工作,于6月底前拨付资金,县自然资源局要及时跟进已上报的项目。",
                        year=2026)
    assert [(x.lead_units, x.deadline) for x in d.items] == [(["县财政局"], date(2026, 6, 30)),
                                                           (["县自然资源局"], None)]
    d = parse_decisions("会议要求,县财政局要做好评审工作,及时拨付资金,县自然资源局要及时跟进已上报的项目。", year=2026)
    assert [x.lead_units for x in d.items] == [["县财政局"], ["县自然资源局"]]


def test_qiantou_peihe_decisions_separated_by_semicolons_keep_their_own_supporting_units_and_deadlines():
    assert _tune("shizong_pierweigong_2022.txt", 2022) == [
        (["县发展和改革局"], ["县委党校", "县政务服务管理局", "县自然资源局"], date(2022, 9, 30)),
        (["县工业园区管委会"], ["县自然资源局", "漾月街道"], date(2022, 12, 31)),
        (["丹凤街道"], ["县自然资源局"], date(2022, 12, 31)),
        (["县工业园区管委会"], ["县自然资源局", "县政务服务管理局"], date(2022, 12, 31)),
    ]  # "其他涉及部门要积极配合" after them is an exhortation, not a supporting unit


def test_yishi_ershi_items_each_a_decision_and_unnamed_parties_are_not_units():
    assert _tune("longhua_tanta_2021.txt", 2021) == [
        (["区住建局", "燃气公司"], [], None),
        (["龙华排水公司"], ["管网提质增效排查单位"], None),  # X要会同Y: Y supports
        (["水污染治理中心"], [], None),
        (["龙华街道"], [], None),  # X要配合 with nobody else leading: X leads
    ]  # 一是 and 三是 charge only 施工单位


def test_a_person_leads_and_the_unit_that_luoshi_is_the_lead():
    assert [lead for lead, _sup, _dl in _tune("tongshui_pengtouhui.txt", None)] == [
        ["九重镇"], ["香花镇"], ["林业局"], ["交通局"], ["住建局"], ["督导组"]]


def test_yao_peihe_supports_a_lead_and_leads_alone():
    assert _tune("linying_silu_2020.txt", 2020) == [
        (["县交通局"], ["各乡镇"], date(2020, 3, 31)),
        (["交通", "农业", "林业"], [], None),  # a sentence opening with 要 is a new item; 林业 is not a person
    ]
    d = _one("二、县住建局牵头,于6月底前完成改造方案,县财政局要积极配合。")
    assert (d.lead_units, d.supporting_units) == (["县住建局"], ["县财政局"])


def test_units_charged_without_yao_a_speaker_and_a_count_of_towns():
    assert _tune("puyang_longyuan_2019.txt", 2019) == [
        (["龙苑片区指挥部办公室", "城关镇"], [], date(2019, 5, 31)),
        (["县国土局"], [], None),  # "县国土局根据…，及时完善…"
        (["县教育局"], [], None),
    ]
    assert [lead for lead, _sup, _dl in _tune("xiangzhou_nonglu_2018.txt", 2018)] == [
        ["双沟", "王集"], ["高作镇"], ["姚集镇"], ["交通部门"]]  # "毛孝泉要求双沟、王集两镇要…", "姚集镇因…，应…"


def test_what_the_meeting_heard_from_units_charges_nobody():
    parsed = parse_decisions("会议分别听取了区自然资源和规划分局、收储办关于近期需要报批的土地规划进展情况。"
                             "会议明确,由马娜牵头,区收储办负责,及时收集汇总土地规划需求。", year=2022)
    assert [d.lead_units for d in parsed.items] == [["区收储办"]]


def _rows(parsed):
    return [(d.text, d.lead_units, d.supporting_units, d.deadline) for d in parsed.items]


def test_a_jiaoban_table_with_pipes_is_read_by_the_shared_table_reader_and_the_person_column_is_no_unit():
    text = ("会议议定事项如下：\n序号|交办事项|责任单位|责任人|完成时限\n"
            "1|加快推进老旧小区改造|县住建局|张三|2026年9月底前\n"
            "2|落实保障性租赁住房筹集任务|县住建局、县财政局|李四、王五|年底前\n"
            "3|完善公积金缴存政策|县公积金中心|赵六|立即\n"
            "会后各单位要抓好落实。")
    parsed = parse_decisions(text, year=2026)
    assert _rows(parsed) == [
        ("加快推进老旧小区改造", ["县住建局"], [], date(2026, 9, 30)),
        ("落实保障性租赁住房筹集任务", ["县住建局", "县财政局"], [], date(2026, 12, 31)),  # a lone 责任单位 column
        ("完善公积金缴存政策", ["县公积金中心"], [], None),  # 立即: no date the text names
    ]
    assert [d.line for d in parsed.items] == [3, 4, 5]


def test_a_dubian_table_with_tabs_and_a_leader_column_and_a_markdown_table():
    tabs = ("一、议定事项\n序号\t督办事项\t牵头单位\t配合单位\t责任领导\t完成时间\n"
            "1\t开展城中村改造摸底\t区住建局\t各街道办事处\t刘副区长\t2026年6月30日\n"
            "2\t编制专项规划\t区自然资源局\t区发改局、区住建局\t刘副区长\t2026年10月底前\n")
    assert _rows(parse_decisions(tabs, year=2026)) == [
        ("开展城中村改造摸底", ["区住建局"], ["各街道办事处"], date(2026, 6, 30)),
        ("编制专项规划", ["区自然资源局"], ["区发改局", "区住建局"], date(2026, 10, 31)),
    ]
    markdown = ("| 序号 | 问题 | 整改措施 | 责任单位 | 整改时限 |\n|---|---|---|---|---|\n"
                "| 1 | 电梯加装进度慢 | 建立周调度机制 | 市住建局 | 2026年8月底 |\n")
    assert _rows(parse_decisions(markdown, year=2026)) == [  # 问题 and 整改措施 are both the task's text
        ("电梯加装进度慢 建立周调度机制", ["市住建局"], [], date(2026, 8, 31))]


def test_a_cell_per_line_table_with_a_person_column_and_persons_in_a_unit_column():
    text = "\n".join(["序号", "交办事项", "责任单位", "责任人", "完成时限",
                      "1", "推进既有住宅加装电梯", "区住建局", "王强", "2026年10月底前",
                      "2", "开展燃气安全排查", "区城管局、区应急局", "李明", "2026年7月31日"])
    assert _rows(parse_decisions(text, year=2026)) == [
        ("推进既有住宅加装电梯", ["区住建局"], [], date(2026, 10, 31)),
        ("开展燃气安全排查", ["区城管局", "区应急局"], [], date(2026, 7, 31)),
    ]
    persons = ("序号|交办事项|责任单位|完成时限\n1|推进加装电梯|区住建局（张三）|2026年10月底前\n"
               "2|排查燃气隐患|李四|2026年7月31日\n3|整治违建|区城管局、王五同志|2026年8月底\n")
    parsed = parse_decisions(persons, year=2026)
    assert [d.lead_units for d in parsed.items] == [["区住建局"], [], ["区城管局"]]
    assert any("第3行" in w.message and "牵头单位" in w.message for w in parsed.warnings)


def test_field_lines_under_an_unnumbered_paragraph_and_values_wrapped_onto_the_next_line():
    text = ("会议要求，加快推进老旧小区改造，年内开工12个小区。\n责任单位：县住建局、县财政局、\n县自然资源局\n"
            "完成时限：2026年9月\n底前\n"
            "会议要求，做好燃气安全排查。\n牵头单位：县城管局\n配合单位：县应急局、\n县市场监管局\n完成时限：\n2026年7月底前")
    assert [(d.lead_units, d.supporting_units, d.deadline) for d in parse_decisions(text, year=2026).items] == [
        (["县住建局", "县财政局", "县自然资源局"], [], date(2026, 9, 30)),
        (["县城管局"], ["县应急局", "县市场监管局"], date(2026, 7, 31)),
    ]


def test_fields_separated_by_commas_and_persons_named_where_a_unit_might_be():
    text = ("一、整治违建，责任领导：王五副区长，责任单位：区城管局，配合单位：各街道，完成时间：2026年8月底。\n"
            "二、排查燃气隐患，由李四同志牵头，区城管局负责，7月底前完成。\n"
            "三、推进加装电梯。责任人：张三；责任单位：区住建局；完成时限：2026年10月底前。")
    assert [(d.lead_units, d.supporting_units, d.deadline) for d in parse_decisions(text, year=2026).items] == [
        (["区城管局"], ["各街道"], date(2026, 8, 31)),
        (["区城管局"], [], date(2026, 7, 31)),
        (["区住建局"], [], date(2026, 10, 31)),
    ]


# Session 17 (h34minutes4): forms from the tuning documents collected then.

def test_an_adverb_before_yao_and_a_trailing_etc_of_departments_are_not_part_of_the_units():
    # fugou_changwu_baiqi, zhanhe_changwu_44_2025
    d = _one("扶贫办、住建局、交运局、工信委等单位一定要按照程序，抓紧时间完善各种手续资料。")
    assert d.lead_units == ["扶贫办", "住建局", "交运局", "工信委"]
    d = _one("会议要求，区市场监督管理局牵头，卫健、教体、民政、住建、应急等行业主管部门密切配合，全面开展排查整治。")
    assert (d.lead_units, d.supporting_units) == (["区市场监督管理局"], ["卫健", "教体", "民政", "住建", "应急"])


def test_a_collective_charged_beside_the_lead_and_then_to_cooperate_supports_it():
    # fugou_changwu_baiqi: "各乡镇要…，全力以赴配合" in the lead's sentence supports it; "全力以赴" is no unit
    d = _one("县交运局要进一步加大农村路建设力度，加强业务指导，各乡镇要按照属地管理的原则，保障施工环境，"
             "全力以赴配合，确保完成目标任务。")
    assert (d.lead_units, d.supporting_units) == (["县交运局"], ["各乡镇"])


def test_a_collective_exhorted_in_a_sentence_of_its_own_does_not_support():
    d = _one("在县住房城乡建设局设置办公室并负责总牵头工作。各责任单位要牢固树立一盘棋思想，主动作为，密切配合。")
    assert (d.lead_units, d.supporting_units) == (["县住房城乡建设局"], [])


def test_a_hope_and_a_quoted_slogan_are_not_units():
    # fugou_changwu_baiqi ("希望城管部门要…"), zhanhe_changwu_44_2025 ("形成“齐抓共管、协同发力”")
    assert _one("同时希望城管部门要进一步加强监管，发现问题及时整改。").lead_units == ["城管部门"]
    d = _one("环保、住建、城管、环卫等相关部门要明确职责分工，形成“齐抓共管、协同发力”的工作格局。")
    assert (d.lead_units, d.supporting_units) == (["环保", "住建", "城管", "环卫"], [])


def test_units_ordered_with_yiji_and_one_that_cooperates_with_the_towns_who_lead():
    # xinglongtai_tesejiequ_2016, fengxian_tongda_2013
    d = _one("对于存在问题的商家，责成综合执法局、市场监督局以及相关街道三级联动，立即落实责任。")
    assert d.lead_units == ["综合执法局", "市场监督局", "相关街道"]
    d = _one("要求交通运输局配合各镇做好技术指导、工程验收工作。")
    assert (d.lead_units, d.supporting_units) == (["各镇"], ["交通运输局"])


def test_traditional_script_minutes_are_read_and_their_units_kept_as_written():
    # longgang_changwu_125, fengxian_tongda_2013 (traditional-script copies of mainland pages)
    d = _one("會議議定，原則通過《行動方案》，請區城管和綜合執法局根據會議精神進一步修改完善。")
    assert d.lead_units == ["區城管和綜合執法局"] and "請區城管" in d.text
    d = _one("要求交通運輸局配合各鎮做好技術指導、工程驗收工作。")
    assert (d.lead_units, d.supporting_units) == (["各鎮"], ["交通運輸局"])


def test_a_unit_charged_to_draft_with_you_ti_chu_leads_and_you_yu_is_no_charge():
    d = _one("会议要求，由县住建局提出改造计划，县财政局配合，6月底前完成。")
    assert (d.lead_units, d.supporting_units, d.deadline) == (["县住建局"], ["县财政局"], date(2026, 6, 30))
    assert _one("会议同意，由县发改局提出实施方案，报县政府审定后实施。").lead_units == ["县发改局"]
    assert parse_decisions("由于县财政局资金紧张，项目暂缓。", year=2026).items == []


def test_an_enumerator_written_alone_before_the_units_is_not_part_of_them():
    d = _one("四是县公安局、县交警大队要加强路面管控。")
    assert d.lead_units == ["县公安局", "县交警大队"]


# Deadlines written relative to the meeting: dates only once its date is known.
MEETING = date(2026, 3, 12)  # a Thursday


@pytest.mark.parametrize(("words", "due"), [
    ("会后一周内拿出方案", date(2026, 3, 19)),
    ("10个工作日内报送", date(2026, 3, 26)),  # two weekends skipped
    ("15日内完成", date(2026, 3, 27)),
    ("两个月内完成", date(2026, 5, 12)),
    ("本月底前完成", date(2026, 3, 31)),
    ("月底前完成", date(2026, 3, 31)),
    ("下月10日前报送", date(2026, 4, 10)),
    ("本周内完成", date(2026, 3, 13)),
    ("下周五前完成", date(2026, 3, 20)),
    ("下周末前完成", date(2026, 3, 22)),
    ("本季度末前完成", date(2026, 3, 31)),
])
def test_relative_deadlines_count_from_the_meeting(words, due):
    assert relative_deadline(words, MEETING)[0] == due
    assert relative_deadline(words, None)[0] is None and relative_deadline(words, None)[1]


def test_dates_and_recurring_words_are_not_relative_deadlines():
    for words in ("6月30日内完成", "3月底前完成", "每月底前报送", "立即整改", "纳入今年计划"):
        assert relative_deadline(words, MEETING) == (None, ""), words


def test_a_relative_deadline_needs_the_meeting_date_else_null_with_a_warning_naming_the_line():
    text = "会议纪要\n二、由区城管局牵头，各街道配合，会后一周内拿出整治方案；区住建局负责雨污分流改造，本月底前完成。"
    parsed = parse_decisions(text, year=2026)
    assert [d.deadline for d in parsed.items] == [None, None]
    assert [w.message for w in parsed.warnings] == [
        "第2行：完成时限“会后一周内”按会议日期计算，请填写会议日期或在确认时指定。",
        "第2行：完成时限“本月底”按会议日期计算，请填写会议日期或在确认时指定。"]
    parsed = parse_decisions(text, meeting=MEETING)
    assert parsed.year == 2026 and parsed.warnings == []
    assert [(d.lead_units, d.deadline) for d in parsed.items] == [(["区城管局"], date(2026, 3, 19)),
                                                                  (["区住建局"], date(2026, 3, 31))]


def test_a_date_the_decision_names_wins_over_words_relative_to_the_meeting():
    d = parse_decisions("由县住建局牵头，会后一周内制定方案，6月底前完成改造。", meeting=MEETING).items[0]
    assert d.deadline == date(2026, 6, 30)


def test_a_pipe_table_with_relative_deadline_cells():
    text = ("| 序号 | 事项 | 牵头单位 | 配合单位 | 完成时限 |\n| --- | --- | --- | --- | --- |\n"
            "| 1 | 完成老旧小区改造方案编制 | 区住建局 | 区财政局、各街道 | 6月底前 |\n"
            "| 2 | 开展城中村消防隐患排查 | 区消防救援大队 | 区应急管理局 | 会后一周内 |\n")
    items = parse_decisions(text, meeting=MEETING).as_json()["items"]
    assert [(i["lead_units"], i["supporting_units"], i["deadline"]) for i in items] == [
        (["区住建局"], ["区财政局", "各街道"], "2026-06-30"), (["区消防救援大队"], ["区应急管理局"], "2026-03-19")]


# Charges the tuning batch of session 18 showed (decisions_tune/, real published texts).
def test_a_group_that_asks_is_not_charged_and_its_list_broken_by_a_comma_is_one_list():
    d = _one("督查组要求南山街道孤岛社区、新元社区,冠山街道天缘社区、新村社区立即进行全面整改,并及时向上级党工委汇报。")
    assert d.lead_units == ["南山街道孤岛社区", "新元社区", "冠山街道天缘社区", "新村社区"]
    joined = _joined_lists("要求县住建局、县财政局,县发改局、县自然资源局抓紧")
    assert joined == "要求县住建局、县财政局、县发改局、县自然资源局抓紧"
    for text in ("要求县住建局,抓紧制定改造方案", "要求县住建局做好宣传,县财政局、县发改局配合"):
        assert _joined_lists(text) == text  # what follows the comma is no list of units / a verb came first


def test_a_deadline_between_the_units_and_their_yao_and_x_chengdan_de_renwu_yao():
    parsed = parse_decisions((TUNE / "yueyanglou_yijialu_pengai.txt").read_text(encoding="utf-8"), year=2019)
    assert [(d.lead_units, d.deadline) for d in parsed.items] == [
        (["原望岳路街道项目部"], date(2019, 12, 20)), (["王家河街道项目部"], date(2019, 12, 15)),
        (["区水利局项目部"], date(2019, 12, 31))]


def test_short_department_names_charged_jointly_and_a_level_with_a_short_name():
    parsed = parse_decisions((TUNE / "chongxin_dongji_jiaotong_2018.txt").read_text(encoding="utf-8"), year=2018)
    assert [d.lead_units for d in parsed.items] == [["交警", "网信", "电视台"], ["公安部门"], ["县城市管理综合执法局"]]
    assert _one("区财政安排领导小组工作经费。").lead_units == ["区财政"]


def test_x_wei_he_qu_y_names_two_units_and_you_x_jiang_charges_x():
    d = _one("区人大城环工委和区监察、审计、财政、建设等部门要对新建、改建社区居委会办公用房工程实施全程监管。")
    assert d.lead_units == ["区人大城环工委", "区监察", "审计", "财政", "建设"]
    assert _one("社区居委会办公用房竣工后,由区国资局将其纳入全区国有资产管理范畴。").lead_units == ["区国资局"]
    assert _one("責成縣婦聯根據會議討論意見修改完善后,履行發文程序。").lead_units == ["縣婦聯"]


def test_helpers_of_a_lead_written_as_a_charge_stay_with_the_lead():
    d = _one("城乡主干道路整治由区城管局牵头组织实施,城管、环保等相关职能部门及属地单位、社区负责搞好配合。")
    assert d.lead_units == ["区城管局"] and d.supporting_units == ["城管", "环保", "属地单位", "社区"]


def test_six_charges_in_one_paragraph_each_its_own_decision_and_how_is_not_who():
    parsed = parse_decisions((TUNE / "xingguo_fangxun_diaodu_2022.txt").read_text(encoding="utf-8"), year=2022)
    assert [(d.lead_units, d.supporting_units) for d in parsed.items] == [
        (["氣象部門"], []), (["應急部門"], []), (["城市社區", "經開區", "城管部門"], []), (["水利部門"], []),
        (["教育部門"], [])]  # "強化家校協同配合" says how, not who helps


def test_a_group_charged_beside_an_office_and_adverbs_before_the_task():
    parsed = parse_decisions((TUNE / "anda_chuangcheng_anfang.txt").read_text(encoding="utf-8"))
    assert [d.lead_units for d in parsed.items] == [["區創城辦", "督導組"], ["區創城辦", "督導組"]]
    assert _one("要求县住建局和督查组持续加强日常巡查。").lead_units == ["县住建局", "督查组"]


def test_duties_fixed_for_each_department_without_yao_are_charges():
    parsed = parse_decisions("会议进一步压实各部门职责：住建局统筹协调全局，督促燃气企业落实主体责任；"
                             "应急局严管工业燃料违规民用行为；市场监管局从生产销售端严控燃气产品质量。", year=2025)
    assert [d.lead_units for d in parsed.items] == [["住建局"], ["应急局"], ["市场监管局"]]


def test_a_request_names_a_unit_before_words_no_list_covers_but_not_a_cut_list():
    assert _one("会议要求城管中队秉持“零容忍”态度，做到违规建筑发现一起、拆除一起。").lead_units == ["城管中队"]
    assert parse_decisions("要求全市各街道、社区立即开展自检自查自改工作。", year=2023).items == []


# Session 18 (h34tune2): rules found on the documents rotated into decisions_tune; made-up sentences show each form.

def test_a_request_reads_a_unit_name_to_its_end_and_a_collective_joined_by_ji_is_a_unit_of_its_own():
    d = _one("二是要加快进度。要求住房保障部门及街道继续加强巡查，确保9月底前全部完工。")
    assert d.lead_units == ["住房保障部门", "街道"] and d.deadline == date(2026, 9, 30)
    # not cut inside 部门 / 乡镇, and an exhortation of collectives alone stays one
    assert _one("要求县城管部门及乡镇立即整改。").lead_units == ["县城管部门", "乡镇"]
    assert _one("要求市住房和城乡建设局立即整改。").lead_units == ["市住房和城乡建设局"]


def test_a_named_unit_joined_to_unnamed_enterprises_is_the_lead_and_a_list_of_collectives_charges_nobody():
    parsed = parse_decisions("市城投集团和相关施工开发企业要加快建设进度，提高工程质量。"
                             "各相关县区和部门单位要认真履行监管职责。", year=2026)
    assert [(d.lead_units, d.supporting_units) for d in parsed.items] == [(["市城投集团"], [])]


def test_a_leading_group_is_a_unit_that_can_be_charged():
    d = _one("1.关于设备配备问题。所需设备由创建文明城市工作领导小组提出具体方案后另行研究。")
    assert d.lead_units == ["创建文明城市工作领导小组"] and d.supporting_units == []


def test_xiezuo_peihe_is_how_the_leads_work_not_a_supporting_unit():
    d = _one("王某要求，县交通局、县水利局等要统筹安排，密切协作配合，尽早完成建设。")
    assert d.lead_units == ["县交通局", "县水利局"] and d.supporting_units == []


def test_a_page_number_line_is_not_part_of_a_wrapped_field_value():
    d = _one("1.完善老旧小区长效管理机制。\n牵头单位：区住建局\n协办单位：区财政局、各街道\n— 3 —\n")
    assert d.lead_units == ["区住建局"] and d.supporting_units == ["区财政局", "各街道"]
    assert _one("1.完善管理机制。\n牵头单位：区住建局\n协办单位：区财政局、各街\n道\n").supporting_units == \
        ["区财政局", "各街道"]  # a value wrapped onto a short line still joins


def test_collectives_charged_beside_a_unit_that_yao_qiantou_support_it():
    d = _one("会议要求，区城管局要做好牵头抓总，各相关部门以及各街道办事处要全力以赴抓好市容整治工作。")
    assert d.lead_units == ["区城管局"] and d.supporting_units == ["各相关部门", "各街道办事处"]
    # without a unit that leads, collectives that 要… are an exhortation; a unit charged without 牵头 keeps them out
    assert parse_decisions("会议要求，各相关部门以及各街道办事处要全力以赴抓好市容整治工作。", year=2026).items == []
    d = _one("区城管局要加强巡查，各相关部门以及各街道办事处要全力以赴抓好市容整治工作。")
    assert d.lead_units == ["区城管局"] and d.supporting_units == []


def test_a_you_clause_that_hands_work_to_other_units_in_the_same_sentence_is_a_decision_of_its_own():
    parsed = parse_decisions("会议决定，由县水利局编制维修方案，待方案批准后，"
                             "由县财政局、县农业农村局、县水利局3家单位筹资，并于10月底前完成。", year=2026)
    assert [(d.lead_units, d.deadline) for d in parsed.items] == [
        (["县水利局"], None), (["县财政局", "县农业农村局", "县水利局"], date(2026, 10, 31))]
    # the same units again, or "由X牵头，Y配合", stay one decision
    d = _one("会议决定，由县水利局牵头，县财政局配合，由县水利局负责验收，10月底前完成。")
    assert (d.lead_units, d.supporting_units) == (["县水利局"], ["县财政局"])


def test_a_table_without_a_deadline_column_takes_the_latest_point_of_its_schedule_column():
    parsed = parse_decisions(
        "序号 | 项目 | 工作举措及实施计划 | 责任单位 | 配合单位 |\n"
        "1 | 新建公办幼儿园3所 | 1.4月底前主体完工。2.8月底前竣工交付。 | 教育局 | 住建局、财政局 |\n"
        "2 | 新增养老床位200张 | 6月底前完成选址；10月底前投入使用。 | 民政局 | 卫健局 |\n", year=2026)
    assert [(d.lead_units, d.supporting_units, d.deadline) for d in parsed.items] == [
        (["教育局"], ["住建局", "财政局"], date(2026, 8, 31)), (["民政局"], ["卫健局"], date(2026, 10, 31))]
    # a column that is no schedule ("备注") names no deadline
    parsed = parse_decisions("序号 | 项目 | 备注 | 责任单位 |\n"
                             "1 | 新建公办幼儿园3所 | 去年8月底已开工 | 教育局 |\n", year=2026)
    assert [d.deadline for d in parsed.items] == [None]


def test_huitong_after_the_leads_clause_names_supporting_units():
    d = _one("一、由市住建局牵头，会同市财政局、市自然资源局，于6月30日前完成方案。")
    assert (d.lead_units, d.supporting_units, d.deadline) == (["市住建局"], ["市财政局", "市自然资源局"],
                                                              date(2026, 6, 30))


def test_zhuban_xieban_and_wei_qiantou_danwei_name_lead_and_supporting():
    d = _one("七、会议同意由县教育局主办，县财政局、县人社局协办。")
    assert (d.lead_units, d.supporting_units) == (["县教育局"], ["县财政局", "县人社局"])
    d = _one("八、县住建局为牵头单位，县财政局为配合单位，9月底前完成。")
    assert (d.lead_units, d.supporting_units) == (["县住建局"], ["县财政局"])


def test_a_leader_named_after_the_title_is_a_person_and_the_unit_that_fuze_leads():
    d = _one("3.由副市长张三牵头，市住建局具体负责，市财政局配合。")
    assert (d.lead_units, d.supporting_units) == (["市住建局"], ["市财政局"])


def test_a_shijian_field_at_the_end_of_a_decision_is_its_deadline():
    d = _one("6.会议议定：市住建局负责完成棚改项目征收工作，时间：2026年9月。")
    assert d.lead_units == ["市住建局"] and d.deadline == date(2026, 9, 30)
    assert _one("6.市住建局负责完成征收工作，时间紧、任务重。").deadline is None


def test_county_departments_as_a_whole_are_a_collective_and_xietiao_is_no_support():
    d = _one("8.各乡镇、县直各部门要高度重视，县住建局要加强督导。")
    assert d.lead_units == ["县住建局"] and d.supporting_units == []
    d = _one("13.县住建局协调县财政局做好资金拨付。")
    assert d.lead_units == ["县住建局"] and d.supporting_units == []


def test_a_unit_with_its_other_name_in_brackets_is_charged_and_a_joint_inspection_joins_nobody():
    assert _one("四、县住建局（县人防办）要加快推进人防工程建设。").lead_units == ["县住建局（县人防办）"]
    d = _one("6. 县应急管理局与县消防救援大队要开展联合检查。")
    assert (d.lead_units, d.supporting_units) == (["县应急管理局", "县消防救援大队"], [])
    d = _one("6. 县应急管理局要联合县消防救援大队开展检查。")
    assert (d.lead_units, d.supporting_units) == (["县应急管理局"], ["县消防救援大队"])


def test_years_in_chinese_numerals_and_next_year_are_read():
    assert _one("一、县住建局要在明年6月底前完成改造。").deadline == date(2027, 6, 30)
    assert _one("一、县住建局要在次年3月底前完成改造。").deadline == date(2027, 3, 31)
    assert _one("6. 县住建局要在二〇二七年十月底前完成。").deadline == date(2027, 10, 31)
    assert parse_decisions("一、县住建局要在明年6月底前完成改造。").items[0].deadline is None  # no year known
    parsed = parse_decisions("县政府常务会议纪要\n二〇二五年三月十日\n一、县住建局要在6月底前完成改造。")
    assert parsed.year == 2025 and parsed.items[0].deadline == date(2025, 6, 30)


def test_a_count_after_deng_a_you_x_an_clause_an_zhize_peihe_and_shi_qiantou_danwei():
    assert _one("县住建局等三家单位要尽快拿出方案。").lead_units == ["县住建局"]
    assert _one("会议原则同意县住建局提出的改造方案，由县住建局按程序报批。").lead_units == ["县住建局"]
    assert parse_decisions("会议原则同意县住建局提出的改造方案。", year=2026).items == []
    d = _one("请县住建局牵头，县财政局、县审计局按职责配合。")
    assert (d.lead_units, d.supporting_units) == (["县住建局"], ["县财政局", "县审计局"])
    d = _one("县教育局是牵头单位，县财政局、县人社局是配合单位。")
    assert (d.lead_units, d.supporting_units) == (["县教育局"], ["县财政局", "县人社局"])


def test_who_written_in_brackets_after_the_task_and_a_unit_marked_qiantou_in_a_field():
    d = _one("1. 地区生产总值增长6%左右。（牵头单位：市发改委；责任单位：各县区）")
    assert (d.lead_units, d.supporting_units) == (["市发改委"], ["各县区"])
    d = _one("3. 新增城镇就业1万人。（市人社局牵头，市财政局配合）")
    assert (d.lead_units, d.supporting_units) == (["市人社局"], ["市财政局"])
    assert _one("6. 加快推进老旧小区改造。【责任单位：县住建局】").lead_units == ["县住建局"]
    assert _one("5. 加快推进老旧小区改造。（县住建局负责）").lead_units == ["县住建局"]
    d = _one("2. 新开工改造老旧小区100个。责任单位：市住建局（牵头）、市财政局、各区政府")
    assert (d.lead_units, d.supporting_units) == (["市住建局"], ["市财政局", "各区政府"])
    # a name's own brackets stay
    d = _one("2. 完善社区治理。牵头单位：区民政局（区委社会工委）；配合单位：各镇（街道）")
    assert (d.lead_units, d.supporting_units) == (["区民政局（区委社会工委）"], ["各镇（街道）"])


def test_a_unit_before_a_colon_a_person_joined_by_he_and_x_yao_peihe_y_zuohao():
    d = _one("二、县住建局：加快推进老旧小区改造，6月底前完成。")
    assert (d.lead_units, d.deadline) == (["县住建局"], date(2026, 6, 30))
    d = _one("县政府办公室：负责督办，县住建局配合。")
    assert (d.lead_units, d.supporting_units) == (["县政府办公室"], ["县住建局"])
    assert parse_decisions("县委常委会：研究了改造工作。", year=2026).items == []
    assert parse_decisions("各乡镇：要加快进度。", year=2026).items == []
    assert _one("由县住建局和王五同志负责跟进。").lead_units == ["县住建局"]
    d = _one("六、县住建局要积极配合县发改局做好项目申报。")
    assert (d.lead_units, d.supporting_units) == (["县发改局"], ["县住建局"])
    d = _one("六、县住建局、县财政局要积极配合。")  # nobody else leads: those who 配合 do
    assert (d.lead_units, d.supporting_units) == (["县住建局", "县财政局"], [])


@pytest.mark.parametrize("text", ["县直单位要带头落实。", "县直部门要主动服务。", "市级部门要加强指导。",
                                  "行业主管部门要加强监管。", "城区各街道要加强巡查。"])
def test_collectives_named_by_level_or_role_are_exhortations(text):
    assert parse_decisions(text, year=2026).items == []


def test_a_department_named_by_its_field_is_still_a_unit():
    assert _one("住房城乡建设主管部门要加强监管。").lead_units == ["住房城乡建设主管部门"]


# Session 19: the wordings of the rotated held-out minutes (decisions_heldout4), each a class of its own.

def test_traditional_script_minutes_read_their_charge_words_and_keep_text_and_units_as_written():
    parsed = parse_decisions("3、實驗小學:目前正在做設計圖,會議要求由縣教育局抓緊時間給縣政府打報告,爭取年內開工。"
                             "\n4、中華職專:會議要求抓緊辦理前期手續。", year=2026)
    assert [d.lead_units for d in parsed.items] == [["縣教育局"]]
    assert "由縣教育局抓緊時間給縣政府" in parsed.items[0].text
    # a table whose cell wraps over two lines: its row is written back as the document writes it
    table = ("序號  任務                    牽頭單位\n"
             "1     優化企業登記服務,實現全程  區市場監管局\n"
             "      網上辦理\n")
    d = _one(table)
    assert d.text.startswith("優化企業登記服務,實現全程") and d.lead_units == ["區市場監管局"]


def test_a_request_naming_what_to_do_or_with_whom_charges_nobody():
    for text in ("二、會議要求抓緊辦理前期手續。", "三、会议要求抓紧办理用地手续。",
                 "四、会议要求涉及消防问题尽快与消防救援大队沟通。", "五、同时与市规划局协调增加地下商业面积。"):
        assert parse_decisions(text, year=2026).items == [], text


def test_you_x_with_the_verbs_of_reporting_and_paying_and_a_development_zone_as_a_unit():
    parsed = parse_decisions("三、会议明确，该项工作由高新区形成专题报告上报区政府，由区政府呈报市政府，"
                             "力争6月底前获批。", year=2026)
    assert [d.lead_units for d in parsed.items] == [["高新区"], ["区政府"]]
    parsed = parse_decisions("二、补偿费用共95万元。其中市文化馆和县博物馆负责60万元；另35万元由县政府支持补助。",
                             year=2026)
    assert [d.lead_units for d in parsed.items] == [["市文化馆", "县博物馆"], ["县政府"]]


def test_what_the_meeting_was_asked_to_solve_is_no_charge():
    text = "会议由区委书记主持，对开发区提出的需要区委、区政府协调解决的8个问题逐一进行了研究。"
    assert parse_decisions(text, year=2026).items == []


def test_x_ying_before_what_it_is_to_do_charges_x_but_not_yingdui_or_gongying():
    d = _one("一、县粮油供应公司应将仓库的使用权移交县粮食局。")
    assert d.lead_units == ["县粮油供应公司"]
    assert _one("一、县住建局应于9月底前完成改造。").deadline == date(2026, 9, 30)
    assert parse_decisions("县发改局局长就《县应对疫情项目清单》征求了意见。", year=2026).items == []
    assert parse_decisions("要保障县城燃气供应，做好应急准备。", year=2026).items == []


def test_a_pronoun_that_asks_is_not_charged_and_a_township_and_a_village_are_two_leads():
    d = _one("针对存在的问题，他要求东风乡和石桥村迅速组织人员清理河道。清理长度约3公里，于7月10日前完成。")
    assert (d.lead_units, d.deadline) == (["东风乡", "石桥村"], date(2026, 7, 10))
    assert _one("她要求县林业局尽快完成补植。").lead_units == ["县林业局"]
    # 农村/乡村 are no villages
    assert parse_decisions("要求加快美丽乡村和新农村建设。", year=2026).items == []


def test_an_adverb_before_the_joint_work_is_no_part_of_the_unit_joined():
    d = _one("5. 县爱卫办要会同县政府督查室扎实开展督导检查。")
    assert (d.lead_units, d.supporting_units) == (["县爱卫办"], ["县政府督查室"])


def test_a_sentence_exhorting_collectives_between_two_charges_lends_them_to_neither():
    parsed = parse_decisions("会议强调，县卫健委要发挥好牵头作用；各相关责任部门要强化协作配合，迅速开展整改；"
                             "县爱卫办要会同县督查室开展督导检查。", year=2026)
    assert [(d.lead_units, d.supporting_units) for d in parsed.items] == [
        (["县卫健委"], []), (["县爱卫办"], ["县督查室"])]
    assert parsed.items[1].text.startswith("县爱卫办")


def test_those_who_take_part_without_a_unit_named_are_no_decision():
    assert parse_decisions("要发动广大群众参与水环境治理。", year=2026).items == []
    assert parse_decisions("全县共有四个项目参与申报。", year=2026).items == []


# 交办单 as Word files: the 交办事项 table is read by the plan importer's table reader, a decision per row.

def _docx_table(document, rows: list[list[str]]):
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            first, *more = value.split("\n")
            table.cell(r, c).text = first
            for paragraph in more:  # a cell of several paragraphs
                table.cell(r, c).add_paragraph(paragraph)
    return table


def test_a_docx_jiaoban_table_with_shixiang_qiantou_peihe_shixian_columns_gives_a_decision_per_row(tmp_path):
    import docx  # python-docx, a runtime requirement
    document = docx.Document()
    document.add_paragraph("县政府第5次常务会议纪要")
    document.add_paragraph("一、由县发改局牵头，县财政局配合，于5月底前完成项目申报。")
    document.add_paragraph("二、会议议定事项交办如下：")
    table = _docx_table(document, [
        ["序号", "事项", "牵头单位", "配合单位", "完成时限"],
        ["一、城市建设", "", "", "", ""],
        ["1", "加快推进老旧小区改造。\n完成12个小区改造任务。", "县住建局", "县财政局\n各镇人民政府",
         "2026年6月30日前"],
        ["2", "完成背街小巷整治", "", "县城管局", "9月底前"],
        ["二、民生保障", "", "", "", ""],
        ["3", "新增城镇就业1000人", "县人社局", "", "年底前"],
    ])
    table.cell(1, 0).merge(table.cell(1, 4))  # a section row across the table
    table.cell(4, 0).merge(table.cell(4, 4))
    table.cell(2, 2).merge(table.cell(3, 2))  # one lead for two rows, merged down
    document.add_paragraph("三、县教育局要在8月底前完成校舍安全排查。")
    path = tmp_path / "交办单.docx"
    document.save(path)
    parsed = read_decisions(path, year=2026)
    assert [(d.text, d.lead_units, d.supporting_units, d.deadline) for d in parsed.items] == [
        ("由县发改局牵头，县财政局配合，于5月底前完成项目申报。", ["县发改局"], ["县财政局"], date(2026, 5, 31)),
        ("加快推进老旧小区改造。 完成12个小区改造任务。", ["县住建局"], ["县财政局", "各镇人民政府"],
         date(2026, 6, 30)),
        ("完成背街小巷整治", ["县住建局"], ["县城管局"], date(2026, 9, 30)),
        ("新增城镇就业1000人", ["县人社局"], [], date(2026, 12, 31)),
        ("县教育局要在8月底前完成校舍安全排查。", ["县教育局"], [], date(2026, 8, 31)),
    ]
    assert parsed.warnings == []


@pytest.mark.parametrize("headers", [
    ["交办事项", "牵头单位", "配合单位", "完成时限"], ["议定事项", "主办单位", "协办单位", "办理时限"],
    ["督办事项", "牵头部门", "配合部门", "办结时限"], ["会议议定事项", "牵头单位", "责任单位", "完成时间"]])
def test_a_docx_table_reads_the_ways_jiaoban_tables_name_their_columns(tmp_path, headers):
    import docx  # python-docx, a runtime requirement
    document = docx.Document()
    _docx_table(document, [headers, ["做好城区内涝点排查整治", "县城管局", "县水利局、县应急局", "6月底前"]])
    path = tmp_path / "t.docx"
    document.save(path)
    (d,) = read_decisions(path, year=2026).items
    assert (d.lead_units, d.supporting_units, d.deadline) == (["县城管局"], ["县水利局", "县应急局"], date(2026, 6, 30))


def test_a_lone_zeren_column_charges_every_unit_unless_the_cell_says_who_leads():
    parsed = parse_decisions("事项\t责任单位\t完成时限\n"
                             "加快推进老旧小区改造\t县住建局（牵头）、县财政局\t6月底前\n"
                             "做好城区内涝点排查整治\t县城管局、县水利局\t9月底前\n"
                             "完成农贸市场改造\t县市场监管局牵头，县商务局配合\t年底前\n", year=2026)
    assert [(d.lead_units, d.supporting_units) for d in parsed.items] == [
        (["县住建局"], ["县财政局"]), (["县城管局", "县水利局"], []), (["县市场监管局"], ["县商务局"])]


def test_a_jiaoban_table_from_a_pdf_text_layer_keeps_the_rows_after_one_with_an_empty_cell():
    # a PDF's text layer parts cells by single spaces and prints nothing for an empty 配合单位
    parsed = parse_decisions("\n".join([
        "县政府常务会议交办事项清单", "序号 交办事项 牵头单位 配合单位 完成时限",
        "1 做好城区内涝点排查整治 县城管局 县水利局 6月底前", "2 完成农贸市场提升改造 县市场监管局 9月30日前",
        "3 新增城镇就业1000人 县人社局 县财政局 年底前"]), year=2026)
    assert [(d.text, d.lead_units, d.supporting_units, d.deadline) for d in parsed.items] == [
        ("做好城区内涝点排查整治", ["县城管局"], ["县水利局"], date(2026, 6, 30)),
        ("完成农贸市场提升改造", ["县市场监管局"], [], date(2026, 9, 30)),
        ("新增城镇就业1000人", ["县人社局"], ["县财政局"], date(2026, 12, 31))]


def test_a_docx_jiaobandan_laid_out_as_a_form_of_names_beside_values_is_one_decision(tmp_path):
    import docx  # python-docx, a runtime requirement
    document = docx.Document()
    document.add_paragraph("县人民政府督查室交办单")
    table = _docx_table(document, [
        ["交办单位", "县政府办公室", "交办时间", "2026年3月6日"],
        ["牵头单位", "县住建局", "配合单位", "县财政局、县自然资源局"],
        ["交办事项", "加快推进老旧小区改造，完成12个小区改造任务", "", ""],
        ["办理时限", "2026年6月30日前", "", ""],
    ])
    table.cell(2, 1).merge(table.cell(2, 3))
    table.cell(3, 1).merge(table.cell(3, 3))
    path = tmp_path / "交办单.docx"
    document.save(path)
    (d,) = read_decisions(path, year=2026).items
    assert (d.text, d.lead_units, d.supporting_units, d.deadline) == (
        "加快推进老旧小区改造，完成12个小区改造任务", ["县住建局"], ["县财政局", "县自然资源局"], date(2026, 6, 30))


def test_a_form_one_name_a_row_and_rows_that_are_no_form():
    d = _one("督办单\n督办事项\t做好城区内涝点排查整治\n承办单位\t县城管局\n协办单位\t县水利局\n办结时限\t6月底前\n")
    assert (d.text, d.lead_units, d.supporting_units, d.deadline) == (
        "做好城区内涝点排查整治", ["县城管局"], ["县水利局"], date(2026, 6, 30))
    # names without a 事项, or a unit, are no form: nothing is read from them
    assert parse_decisions("交办单位\t县政府办公室\n交办时间\t2026年3月6日\n", year=2026).items == []
    assert parse_decisions("交办事项\t做好排查\n交办时间\t2026年3月6日\n", year=2026).items == []


# Classes of the rotated decisions_heldout5 documents (session 19, h34tune2): my own texts in their wording.


def test_a_page_pasted_with_its_html_paragraph_tags_is_read_as_its_lines():
    parsed = parse_decisions(
        '<p class="ql-block">市督查组对城东街道进行检查，发现问题如下：</p> <p class="ql-block">一、背街小巷</p> '
        '<p class="ql-block">1.新华路商户占道经营。(责任单位:区城管局)</p>'
        '<p class="ql-block">2.健康路垃圾清运不及时。(责任单位:区环卫所)</p><br/>', year=2026)
    assert _rows(parsed) == [("新华路商户占道经营。(责任单位:区城管局)", ["区城管局"], [], None),
                             ("健康路垃圾清运不及时。(责任单位:区环卫所)", ["区环卫所"], [], None)]


def test_a_zeren_danwei_line_in_brackets_closes_the_item_above_even_after_its_full_stop():
    parsed = parse_decisions("一、建筑工地\n1、金桂园工地 - 围挡破损，渣土乱堆乱放。\n（责任单位：县住建局）\n"
                             "2、滨河路 - 路灯损坏\n（责任单位：县城管局）\n各单位要迅速整改到位。\n", year=2026)
    assert [(d.text, d.lead_units) for d in parsed.items] == [
        ("金桂园工地 - 围挡破损，渣土乱堆乱放。（责任单位：县住建局）", ["县住建局"]),
        ("滨河路 - 路灯损坏（责任单位：县城管局）", ["县城管局"])]


def test_a_role_written_before_a_units_name_is_no_part_of_it():
    parsed = parse_decisions(
        "1、粮食局片区：东街行道树绑有晾衣绳。\n整改措施：由包片单位县粮食局负责清除。\n"
        "2、一中片区：校门口商户占道经营。\n整改措施：由包片单位县第一中学和城区联合执法队负责规范。\n"
        "3、沿河商户出店经营。\n整改措施：由沿河路段包片单位县供销社、县农机站负责劝阻教育。\n", year=2026)
    assert [d.lead_units for d in parsed.items] == [["县粮食局"], ["县第一中学", "城区联合执法队"],
                                                    ["县供销社", "县农机站"]]


def test_you_x_with_the_verbs_of_vetting_or_managing_charges_x_but_a_school_being_built_is_no_unit():
    d = _one("五、会议审议通过了《采购管理办法》，会议决定全部采购合同均由资产管理科统一把关。")
    assert d.lead_units == ["资产管理科"]
    d = _one("二、教育局要加大督促力度，争取在建学校8月底完成主体工程。")
    assert (d.lead_units, d.deadline) == (["教育局"], date(2026, 8, 31))


def test_a_point_then_ongoing_work_is_due_at_the_point_in_prose_and_in_a_deadline_cell():
    d = _one("三、县卫健局负责推进医共体建设，10月底前取得明显成效并长期坚持。")
    assert d.deadline == date(2026, 10, 31)
    d = _one("具体任务\n加快推进城乡供水一体化\n责任单位\n县水务局\n配合单位\n各乡镇\n完成时限\n"
             "水厂改造6月底前完成;其它事项11月底前取得明显成效并长期坚持\n")
    assert (d.lead_units, d.supporting_units, d.deadline) == (["县水务局"], ["各乡镇"], date(2026, 11, 30))


def test_a_shu_x_zhize_fanwei_heading_and_the_problems_under_it_are_one_decision_of_x():
    parsed = parse_decisions(
        "县创建办对城区进行了督查，现将问题通报如下：\n一、属城管局职责范围：\n（一）解放路\n1、水果店占道经营。\n"
        "2、土地局旁小摊贩占道经营严重。\n（二）人民广场\n夜间烧烤摊点垃圾遍地。\n二、属交警大队职责范围：\n"
        "主要路口车辆乱停乱放。\n", year=2026)
    assert [(d.text[:12], d.lead_units) for d in parsed.items] == [("属城管局职责范围： 解放", ["城管局"]),
                                                                    ("属交警大队职责范围：主要", ["交警大队"])]
    assert "夜间烧烤摊点垃圾遍地" in parsed.items[0].text


def test_a_page_flattened_onto_one_line_gives_a_decision_per_block_of_problems_its_zhenggai_fields_close():
    parsed = parse_decisions(
        "近日 县创卫督查组 对部分 单位 小区 进行督查 1.楼道杂物乱堆放; 2.垃圾桶未加盖。 整改责任单位:县住建局 "
        "整改时限:2026年5月20日前 1.后厨发现鼠迹; 责任单位:县市场监管局 整改时限:2026年5月25日前 "
        "门口积水未清理。 整改责任单位:县城管局 整改时限:2026年5月31日前 (来源:县融媒)", year=2026)
    assert [(d.text.split("。")[0].split(";")[0], d.lead_units, d.deadline) for d in parsed.items] == [
        ("楼道杂物乱堆放", ["县住建局"], date(2026, 5, 20)),
        ("后厨发现鼠迹", ["县市场监管局"], date(2026, 5, 25)),
        ("门口积水未清理", ["县城管局"], date(2026, 5, 31))]
    assert "垃圾桶未加盖" in parsed.items[0].text


def test_a_deadline_the_notice_sets_once_for_its_problems_is_each_items_that_names_none():
    parsed = parse_decisions(
        "县城管局、县住建局、城东街道：\n县政府督查室共梳理出3条问题，请各相关单位立即整改，并于6月10日前将问题整改完成，"
        "整改情况报县政府督查室。\n存在问题：\n1.人民路商户占道经营。(责任单位:县城管局)\n"
        "2.建设路路面破损。(责任单位:县住建局)\n3.东门菜市场垃圾清运不及时，6月5日前清理完毕。(责任单位:城东街道)\n",
        year=2026)
    assert [(d.text[:6], d.deadline) for d in parsed.items if "问题" not in d.text[:12]][-3:] == [
        ("人民路商户占", date(2026, 6, 10)), ("建设路路面破", date(2026, 6, 10)), ("东门菜市场垃", date(2026, 6, 5))]
    # a date a report is due by is not when the work is to be done
    parsed = parse_decisions(
        "一、重点督办事项\n1.加快推进农村垃圾收运。(责任单位:县城管局)\n2.推进村路改造。(责任单位:县交通局)\n"
        "二、几点要求\n请各单位于7月17日前将问题整改情况报县政府督查室。\n", year=2026)
    assert [d.deadline for d in parsed.items] == [None, None]


def test_problems_a_wenti_zhenggai_zeren_danwei_line_closes_are_one_decision_its_time_limit_field_apart():
    parsed = parse_decisions(
        "具体问题如下:\n1. 市图书馆\n(1)门前电动车乱停放;\n(2)消防器材过期。\n问题整改责任单位:市文旅局 整改时限:3天\n"
        "2. 市中心医院\n(1)院内禁烟标识不足;\n(2)宣传栏破损。\n"
        "问题整改责任单位:市卫生健康委员会 整改时限:2026年9月30日\n",
        year=2026)
    assert [(d.lead_units, d.deadline) for d in parsed.items] == [
        (["市文旅局"], None), (["市卫生健康委员会"], date(2026, 9, 30))]
    assert "门前电动车乱停放" in parsed.items[0].text and "宣传栏破损" in parsed.items[1].text


def test_units_alone_in_brackets_after_a_problems_sentence_answer_for_it_and_a_rating_of_units_charges_nobody():
    parsed = parse_decisions(
        "县文明办对城区进行了检查，发现如下问题：\n一、汽车站门口出租车乱停乱放。(交警大队)\n"
        "二、 南门桥流动摊贩多。(市场监管所、城管执法大队)\n"
        "三、本周志愿服务表现好的单位:县委宣传部、县财政局。\n以上问题已现场交办给相关单位。\n", year=2026)
    assert [(d.text[:6], d.lead_units) for d in parsed.items] == [
        ("汽车站门口出", ["交警大队"]), ("南门桥流动摊", ["市场监管所", "城管执法大队"])]
    # a name with its other name in brackets stays a name; a news paragraph's byline charges nobody
    assert _one("1.县住建局（县人防办）要在9月底前完成人防工程检查。").lead_units == ["县住建局（县人防办）"]
    byline = "王明强调,各街道要与各相关部门密切配合,确保各项任务如期完成。(宣传部)\n"
    assert parse_decisions(byline, year=2026).items == []


def test_a_deadline_cell_that_gives_the_whole_year_names_no_point_but_a_year_end_cell_does():
    parsed = parse_decisions(
        "2026年开发区重点工作及责任清单\n序号 |\n重点工作 |\n责任领导 |\n责任单位 |\n完成时限 |\n"
        "1 |\n优化项目服务机制,全力服务重大项目落地见效。 |\n王明 |\n招商服务部 |\n全年 |\n"
        "2 |\n推进污水处理厂提标改造。 |\n李强 |\n规划建设局 |\n2026年12月底前 |\n", year=2026)
    assert [(d.lead_units, d.deadline) for d in parsed.items] == [
        (["招商服务部"], None), (["规划建设局"], date(2026, 12, 31))]


def test_a_place_captioned_above_its_cunzai_wenti_line_starts_a_block_and_is_no_part_of_the_unit_above():
    parsed = parse_decisions(
        "县创文领导小组开展第8次实地督查，现将发现的问题曝光如下。\n阳光花园小区\n存在问题:楼道堆放杂物,电动车乱停放。\n"
        "责任单位:城南街道\n人民路菜市场段\n存在问题:流动摊点占道经营。\n责任单位:县市场监管局、县综合行政执法局\n"
        "完成时限:6月\n底前\n", year=2026)
    assert [(d.text[5:10], d.lead_units, d.deadline) for d in parsed.items] == [
        ("楼道堆放杂", ["城南街道"], None),
        ("流动摊点占", ["县市场监管局", "县综合行政执法局"], date(2026, 6, 30))]


def test_units_that_do_their_part_beside_a_lead_support_it_but_units_that_each_take_a_part_lead():
    d = _one("1.全面推行证明事项告知承诺制，2026年9月底前完成事项清单梳理。"
             "（市司法局牵头，市级各有关部门及各县区政府按职责分工负责）")
    assert (d.lead_units, d.supporting_units, d.deadline) == (
        ["市司法局"], ["市级各有关部门", "各县区政府"], date(2026, 9, 30))
    d = _one("2.市发改委、市财政局分别负责项目审批和资金保障。")
    assert (d.lead_units, d.supporting_units) == (["市发改委", "市财政局"], [])


def test_lianhe_after_a_units_name_joins_the_units_after_it_up_to_where_they_go_or_what_they_do():
    d = _one("二、下步工作对策\n2.加快项目谋划,县住建局联合城东街道、县城投公司,结合现场勘察结果,加快论证改造方案。")
    assert (d.lead_units, d.supporting_units) == (["县住建局"], ["城东街道", "县城投公司"])
    d = _one("3.县水务局要会同城西街道、县城投公司赴现场核实管网走向。")
    assert (d.lead_units, d.supporting_units) == (["县水务局"], ["城西街道", "县城投公司"])
    # 联合 inside a name is no joint work
    d = _one("4.由县第二中学和城区联合执法队负责规范校门口秩序。")
    assert (d.lead_units, d.supporting_units) == (["县第二中学", "城区联合执法队"], [])


def test_charges_enumerated_di_yi_shi_di_er_shi_are_a_decision_each():
    parsed = parse_decisions("现场办公明确：第一是自然资源局要在一周内办理好用地手续,第二是发改局要尽快落实好立项工作,"
                             "第三是住建局要在9月底前完成施工许可。", year=2026)
    assert [(d.lead_units, d.deadline) for d in parsed.items] == [
        (["自然资源局"], None), (["发改局"], None), (["住建局"], date(2026, 9, 30))]


def test_you_x_with_the_verbs_of_hiring_or_commissioning_charges_x_and_a_units_staff_are_the_unit():
    d = _one("现场协调:一是由县政府办聘请专业人员对堵塞管网进行清掏;二是建议将管网改造纳入明年计划。")
    assert d.lead_units == ["县政府办"]
    d = _one("三、由县财政局委托第三方机构开展绩效评价，9月底前完成。")
    assert (d.lead_units, d.deadline) == (["县财政局"], date(2026, 9, 30))
    d = _one("四、县城管局要会同城北街道、和平社区工作人员清理楼道杂物。")
    assert (d.lead_units, d.supporting_units) == (["县城管局"], ["城北街道", "和平社区"])


def test_a_bracketed_field_written_with_a_semicolon_for_its_colon_still_names_who_answers():
    parsed = parse_decisions("一、重点督办事项\n1.推进农村改厕工程。(责任单位;县住建局、各乡镇)\n"
                             "2.加快村路改造。(责任单位:县交通局)\n", year=2026)
    assert [(d.text[:6], d.lead_units) for d in parsed.items] == [
        ("推进农村改厕", ["县住建局", "各乡镇"]), ("加快村路改造", ["县交通局"])]


def test_schools_named_by_their_number_that_draw_up_plans_are_charged_a_decision_each():
    parsed = parse_decisions("二、会议听取了关于县二中、五中合并工作的汇报。"
                             "同时,县财政局要安排专项资金解决五中遗留问题,"
                             "五中制定搬迁方案,二中拟定接收方案。", year=2026)
    assert [d.lead_units for d in parsed.items] == [["县财政局"], ["五中"], ["二中"]]
    # what a unit has drawn up is no charge
    assert parse_decisions("三、县教育局制定了学校布局调整方案。", year=2026).items == []


def test_kinds_of_responsibility_in_brackets_name_the_lead_and_the_supervisor_supports():
    parsed = parse_decisions("● 城东菜市场门前垃圾堆放,污水横流。\n(主体责任:城东街道办,监督责任:区城管局)\n"
                             "● 和平路沿街店铺占道经营。\n(主体责任:各沿街商户,监管责任:市场监管所、区城管局)\n",
                             year=2026)
    assert [(d.text.lstrip("● ")[:5], d.lead_units, d.supporting_units) for d in parsed.items] == [
        ("城东菜市场", ["城东街道办"], ["区城管局"]),
        ("和平路沿街", ["各沿街商户"], ["市场监管所", "区城管局"])]


def test_a_problems_sentence_naming_its_unit_with_shi_or_wei_charges_it_a_problem_each():
    parsed = parse_decisions("7月6日，督查组对城区部分小区进行督查。\n"
                             "东湖小区的责任单位是区住建局，该小区垃圾桶无分类标识，杂物乱堆。\n"
                             "人民路两旁垃圾清理不及时，其责任单位为城关街道。路灯损坏，责任单位为市路灯所。\n",
                             year=2026)
    assert [(d.text[:4], d.lead_units) for d in parsed.items] == [
        ("东湖小区", ["区住建局"]), ("人民路两", ["城关街道"]), ("路灯损坏", ["市路灯所"])]
    assert parsed.items[0].text.startswith("东湖小区的责任单位是区住建局，该小区")  # as written
    # a note on roles is no field: 牵头单位 is nobody's name
    assert all(d.lead_units != ["牵头单位"] for d in parse_decisions("（第一责任单位为牵头单位）", year=2026).items)


def test_a_time_word_before_the_unit_is_no_part_of_it():
    d = _one("三、下一步县住建局按照“一项目一专班”的模式，会同县自然资源局加快项目报批。")
    assert (d.lead_units, d.supporting_units) == (["县住建局"], ["县自然资源局"])


def test_collectives_of_another_enumerated_item_are_none_of_the_one_charged_items_units():
    parsed = parse_decisions("会议要求，一是各乡镇要压实责任，做好群众工作；二是县水利局要加快水毁工程修复，"
                             "按照节点完成任务；三是沿线镇街和县直相关部门要密切配合，全力做好保障。", year=2026)
    assert [(d.lead_units, d.supporting_units) for d in parsed.items] == [(["县水利局"], [])]


def test_an_order_zhiling_charges_the_unit_it_names():
    parsed = parse_decisions("为确保汛期安全，特指令城关水管所对辖区内5座山塘进行除险加固；指令各组派专人巡查。"
                             "加固期间的放水由水管站牵头，各组负责配合。", year=2026)
    assert [d.lead_units for d in parsed.items] == [["城关水管所"], ["水管站"]]


def test_fuze_zhiding_draws_up_a_plan_but_a_fuzezhi_system_charges_nobody():
    d = _one("(二)编制方案。2026年6月底前,由县住建局负责制定老旧小区改造实施方案。")
    assert (d.lead_units, d.deadline) == (["县住建局"], date(2026, 6, 30))
    assert parse_decisions("五、推行标段负责制，落实包保责任。", year=2026).items == []


def test_what_units_have_already_done_charges_nobody():
    parsed = parse_decisions("关于矿山整治。县自然资源局负责,5月10日,自然资源局联合县应急局已组织矿主赴外地考察。",
                             year=2026)
    assert [(d.lead_units, d.supporting_units) for d in parsed.items] == [(["县自然资源局"], [])]


def test_units_listed_after_the_lead_in_its_brackets_support_it():
    parsed = parse_decisions("(一)做好展会期间食品安全保障。(市食品安全处牵头,区市场监管局、区卫健委)\n"
                             "(二)做好交通疏导。(市交警支队牵头,区交通局配合)\n", year=2026)
    assert [(d.lead_units, d.supporting_units) for d in parsed.items] == [
        (["市食品安全处"], ["区市场监管局", "区卫健委"]), (["市交警支队"], ["区交通局"])]


def test_a_page_cut_off_inside_the_brackets_of_who_answers_reads_them_as_closed():
    d = _one("(一)做好展会期间食品安全保障。依法查处违法行为。(市食品安全处牵头,区市场监管局、区卫健委、市相关")
    assert (d.lead_units, d.supporting_units) == (["市食品安全处"], ["区市场监管局", "区卫健委"])


def test_the_unit_a_body_authorises_to_act_is_charged():
    parsed = parse_decisions("二、计划外的维修项目，基建工作小组授权后勤管理处进行审核，每季度向小组汇报。", year=2026)
    assert [d.lead_units for d in parsed.items] == [["后勤管理处"]]


def test_collectives_asked_to_serve_another_party_do_not_support_the_lead():
    parsed = parse_decisions("会议要求相关部门密切配合燃气公司,确保管网改造顺利推进。"
                             "改造期间,县住建局负责协调道路开挖审批。", year=2026)
    assert [(d.lead_units, d.supporting_units) for d in parsed.items] == [(["县住建局"], [])]
    # collectives asked to do their part of the lead's work still support it
    d = _one("三、县住建局负责协调道路开挖审批,相关部门要积极配合做好保障。")
    assert (d.lead_units, d.supporting_units) == (["县住建局"], ["相关部门"])


def test_a_unit_acting_as_the_lead_of_a_kind_of_task_is_named_without_its_capacity():
    d = _one("二、县城管局作为环境整治类任务牵头部门,县住建局作为道路改造类任务牵头部门,要摸清任务总量。")
    assert d.lead_units == ["县城管局", "县住建局"]


def test_a_unit_that_vets_or_ranks_what_the_meeting_decided_is_charged():
    parsed = parse_decisions("二、会议决定,优秀教师按程序评定,人事处审核把关并将结果予以公示。"
                             "省级名师评选严格对照条件,由教务处综合排序,向学校提交3人材料。", year=2026)
    assert [d.lead_units for d in parsed.items] == [["人事处"], ["教务处"]]
    assert parse_decisions("三、人事处审核了上年度考核结果。", year=2026).items == []
