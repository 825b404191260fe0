"""The minutes parser, session 21 (h34gen3): the classes the twelfth held-out batch showed missing, each on
constructed names and wordings, not on corpus strings (that batch is now tuning material)."""

import datetime

import pytest

from tasks.importers.decisions import parse_decisions
from tasks.importers.orgnames import is_unit_name, unit_list, without_collective_tail


def _items(text: str, year: int | None = 2026):
    return [(d.lead_units, d.supporting_units, d.deadline) for d in parse_decisions(text, year=year).items]


def _texts(text: str, year: int | None = 2026):
    return [d.text for d in parse_decisions(text, year=year).items]


# --- departments named by their kind, charged without 要 in a run of clauses -----------------------------------

def test_a_run_of_departments_named_by_kind_each_doing_its_part_is_one_decision_each():
    text = ("会议要求：各单位要加强协作。环保部门全面排查污染源头，应急部门统筹协调、及时处置突发情况，"
            "交通、公安部门加强路面巡查，保障道路通畅，市监、商务部门稳定物价，民政部门走访慰问困难群众。")
    assert _items(text) == [(["环保部门"], [], None), (["应急部门"], [], None), (["交通", "公安"], [], None),
                            (["市监", "商务"], [], None), (["民政部门"], [], None)]


@pytest.mark.parametrize("text", [
    "会上，交通、住建等部门负责人汇报了工作进展。",  # who reported, not a charge
    "据气象部门预测，本周将有一次寒潮天气。",
    "首页 > 部门动态 > 详情",
    "会议进一步压实各部门职责，明确了分工。",
    "公安部门相关人员参加了会议。",
])
def test_a_department_named_by_kind_that_reports_attends_or_is_cited_is_no_charge(text):
    assert _items(text) == []


# --- undertakings at a 联席会议 -----------------------------------------------------------------------------------

def test_what_each_unit_undertakes_at_a_joint_meeting_is_a_decision_each():
    text = ("会上，街道要求相关单位结合职责拿出办法。经过交流，市交警大队表示将增派警力加强路口疏导；"
            "实验小学表示，将加强学生安全教育；城管执法大队加强对校园周边摊点的管理；"
            "区住建中心将协调环卫公司做好清扫工作。")
    assert _items(text) == [(["市交警大队"], [], None), (["实验小学"], [], None), (["城管执法大队"], [], None),
                            (["区住建中心"], [], None)]


def test_a_school_as_a_heading_is_the_projects_site_and_a_stated_view_is_no_charge():
    assert _items("会议要求，第三中学要加强安全教育。") == [(["第三中学"], [], None)]
    assert _items("实验小学表示，感谢各部门的支持。") == []
    heading = "3、光明小学:目前正在做设计图,会议要求由县教育局抓紧报告,争取年内开工。"
    assert [leads for leads, _, _ in _items(heading)] == [["县教育局"]]


# --- a quoted name after a level ----------------------------------------------------------------------------------

def test_a_name_in_quotes_after_its_level_leads_and_keeps_its_quotes():
    text = ("会议提出两点要求：一是由县“三防办”牵头，县水利局、应急局、气象局配合迅速组建联合工作组对全县范围内"
            "隐患进行排查；二是坚决制止违法建设。")
    assert _items(text)[0] == (["县“三防办”"], ["县水利局", "应急局", "气象局"], None)


# --- a collective noun joined to a named department ---------------------------------------------------------------

def test_a_collective_noun_joined_to_a_department_by_he_both_lead():
    assert _items("会议强调，高校和县人社部门要做好毕业生就业服务。") == [(["高校", "县人社部门"], [], None)]
    assert _items("会议强调，医院和县卫健部门要做好救治准备。") == [(["医院", "县卫健部门"], [], None)]


# --- a unit relaying a charge -------------------------------------------------------------------------------------

def test_a_unit_relaying_a_charge_to_a_list_charges_the_list():
    assert is_unit_name("建成区各社区") and is_unit_name("主城区各街道")
    text = "问题十分突出。爱卫办要求主城区各街道、城管、住建等有关部门要迅速行动，开展整治。"
    assert _items(text) == [(["主城区各街道", "城管", "住建"], [], None)]
    # a unit asking one named unit to report does not make the asker a lead
    assert _items("指挥部要求县交通局要在月底前完成修复。")[0][0] == ["县交通局"]


# --- a collective tail after 等…部门 ------------------------------------------------------------------------------

def test_a_collective_joined_after_a_list_closed_by_etc_is_its_tail_not_a_unit():
    assert without_collective_tail("公安、交通、城管等部门以及有关经营单位") == "公安、交通、城管等部门"
    assert without_collective_tail("公安、交通、城管等部門以及有關經營管理單位") == "公安、交通、城管等部門"
    assert without_collective_tail("县公安局以及有关经营单位") == "县公安局以及有关经营单位"  # no 等: as written
    assert unit_list("水利、应急等部门及相关企业") == ["水利", "应急"]
    assert _items("公安、交通、城管等部门以及有关经营单位要保障道路安全畅通。") == [
        (["公安", "交通", "城管"], [], None)]


# --- stages of a campaign -----------------------------------------------------------------------------------------

def test_a_stage_heading_and_date_before_by_x_and_y_is_a_decision_of_its_own():
    text = ("副县长作了部署：整顿为期一个月，分三个阶段：第一阶段，6月5日前，由专项工作组和各乡镇拿出方案，"
            "报县政府审定。第二个阶段，6月5-20日，宣传政策、上门做工作。第三阶段，6月21-30日，由各部门联合执法。")
    assert _texts(text) == ["第一阶段，6月5日前，由专项工作组和各乡镇拿出方案，报县政府审定。"]
    assert _items(text) == [(["专项工作组", "各乡镇"], [], datetime.date(2026, 6, 5))]
