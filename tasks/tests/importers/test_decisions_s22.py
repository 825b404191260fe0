"""The minutes parser, session 22 (h34fix): the classes the fourteenth held-out batch showed missing, each on
constructed names and wordings, not on corpus strings (that batch is now tuning material)."""

import datetime

import pytest

from tasks.importers.decisions import parse_decisions
from tasks.importers.orgnames import expand_levels, is_unit_name, names_no_unit, unit_list


def _items(text: str, year: int | None = 2026):
    return [(d.lead_units, d.supporting_units, d.deadline) for d in parse_decisions(text, year=year).items]


def _by_lead(text: str, year: int | None = 2026):
    return {tuple(d.lead_units): (d.supporting_units, d.deadline) for d in parse_decisions(text, year=year).items}


D = datetime.date


# --- (a) a deadline the notice sets once for all its charges ----------------------------------------------------

@pytest.mark.parametrize("once", [
    "要以4月20日为时间节点，倒排工期，完成各项任务。",
    "各项工作以4月20日为截止时间，全部完成。",
    "上述工作于4月20日前完成。",
    "以上任务须在4月20日前全部完成。",
])
def test_a_deadline_stated_once_for_all_charges_is_each_charge_s_that_names_none(once):
    text = (f"全县环境整治推进会召开。会议指出，{once}"
            "会议要求：城西镇要全面清理背街小巷；县广播电视台要制作专题节目；县交通局要在5月10日前完成路牌更换。")
    found = _by_lead(text)
    assert found[("城西镇",)] == ([], D(2026, 4, 20))
    assert found[("县广播电视台",)] == ([], D(2026, 4, 20))
    assert found[("县交通局",)] == ([], D(2026, 5, 10))  # a charge with a date of its own keeps it


def test_two_different_notice_wide_points_set_none():
    text = ("会议指出，上述工作于4月20日前完成，各项整改任务于6月30日前全部完成。\n"
            "会议要求：城西镇要全面清理背街小巷；县广播电视台要制作专题节目。")
    assert {d for _l, _s, d in _items(text)} == {None}


def test_a_date_a_campaign_starts_on_is_no_notice_wide_deadline():
    text = "会议决定，4月20日起开展集中整治，以村为单位推进。城西镇要全面清理背街小巷；县广播电视台要制作专题节目。"
    assert {d for _l, _s, d in _items(text)} == {None}


def test_the_word_neirong_is_no_deadline_within():
    # "内容" holds 内, which is no "within"
    text = "会议要求：城东街道要于4月3日在全街开展以清洁家园为主要内容的活动。"
    assert _items(text) == [(["城东街道"], [], None)]


# --- (b) the partners after 联合/会同 are supporting units ----------------------------------------------------------

@pytest.mark.parametrize(("text", "lead", "partners"), [
    ("会议要求，县环保局要进一步做好统筹调度，坚持按日分析数据，联合县气象站做好预测预报。", "县环保局", ["县气象站"]),
    ("会议要求，市应急局要做好灾情研判，联合市水利局、市自然资源局做好预警发布工作。", "市应急局",
     ["市水利局", "市自然资源局"]),
    ("由县林业局牵头，联合县公安局、县应急局开展森林防火检查。", "县林业局", ["县公安局", "县应急局"]),
    ("县农业农村局要联合县市场监管局开展农资打假。", "县农业农村局", ["县市场监管局"]),
    ("由区城管局牵头，会同区住建局、区交通局开展占道整治。", "区城管局", ["区住建局", "区交通局"]),
])
def test_partners_after_lianhe_or_huitong_support_the_lead(text, lead, partners):
    assert _items(text) == [([lead], partners, None)]


def test_a_clause_opening_with_lianhe_is_no_charge_of_its_own():
    text = "会议要求，市气象局要适时开展人工增雨作业，联合市生态环境局做好预报预警。市住建局要加强工地管控。"
    assert _items(text) == [(["市气象局"], ["市生态环境局"], None), (["市住建局"], [], None)]


def test_a_joint_action_named_with_lianhe_joins_nobody():
    text = "会议要求，县市场监管局要开展联合检查，严查过期食品。"
    assert _items(text) == [(["县市场监管局"], [], None)]


# --- (c) joint leads and combined names -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "leads"), [
    ("会议要求，由城东街道与各物业公司主动对接，共同开展入户调查。", ["城东街道", "各物业公司"]),
    ("由县住建局与县财政局共同负责项目资金审核。", ["县住建局", "县财政局"]),
    ("会议要求，县住建局和县财政局要加快资金拨付。", ["县住建局", "县财政局"]),
    ("由县水利局和各乡镇共同负责河道清淤。", ["县水利局", "各乡镇"]),
])
def test_units_charged_jointly_are_each_a_lead(text, leads):
    assert _items(text) == [(leads, [], None)]


def test_a_collective_of_any_kind_is_no_joint_lead():
    assert _items("会议要求，由城东街道与各部门主动对接。") == []


@pytest.mark.parametrize(("span", "names"), [
    ("市、区自然资源局", ["市自然资源局", "区自然资源局"]),
    ("省、市生态环境厅", ["省生态环境厅", "市生态环境厅"]),
    ("县、乡两级财政所", None),  # a count of levels, no name written for each
    ("市自然资源局", None),
    ("各市、县", None),
])
def test_a_name_written_once_after_several_levels_is_one_unit_per_level(span, names):
    assert expand_levels(span) == (names or [span])


def test_a_combined_name_is_expanded_in_a_charge():
    text = "会议要求，市、区自然资源局要进一步强化执法监管。"
    assert _items(text) == [(["市自然资源局", "区自然资源局"], [], None)]


def test_a_combined_name_in_a_list_is_expanded_beside_the_others():
    assert unit_list("市、区自然资源局、区城管局") == ["市自然资源局", "区自然资源局", "区城管局"]


# --- (d) charges missed: a short-name list closed by 等部门, a place as subject of a later 负责 -----------------------

@pytest.mark.parametrize(("text", "leads"), [
    ("会议要求：农业部门要抓好秸秆利用。环保、重点项目、水务、城管等部门进一步强化施工扬尘管控。",
     [["农业部门"], ["环保", "重点项目", "水务", "城管"]]),
    ("教育、卫健、市场监管等部门加强校园食品安全检查。", [["教育", "卫健", "市场监管"]]),
    ("公安、交通等相关部门全力做好节日交通保障。", [["公安", "交通"]]),
])
def test_a_short_name_list_closed_by_deng_bumen_then_a_verb_is_charged(text, leads):
    assert [lead for lead, _s, _d in _items(text)] == leads


def test_a_short_name_list_closed_by_deng_bumen_attending_is_no_charge():
    text = "会议由副县长主持，教育、卫健、市场监管等部门负责人参加会议。"
    assert _items(text) == []


@pytest.mark.parametrize("subject", ["城关区", "城东街道", "县住建局"])
def test_a_unit_that_opens_a_sentence_then_after_a_clause_is_charged_with_fuze(subject):
    text = (f"会议决定，由各管线单位编制实施方案，{subject}遵循节约为先、量力而行的原则，负责按实施方案组织施工，"
            "最后由各管线单位负责管线规整。")
    # the collective's own charges stay as they were (a collective alone; the labels leave them out)
    assert [subject] in [lead for lead, _s, _d in _items(text)]
    assert not any(subject in lead and len(lead) > 1 for lead, _s, _d in _items(text))


def test_a_reported_subject_before_fuze_is_not_charged():
    text = "会议听取了城关区关于管线整治的汇报，负责同志作了表态发言。"
    assert _items(text) == []


# --- (e) collectives and phrases that are no unit ---------------------------------------------------------------

@pytest.mark.parametrize("phrase", ["提高市民", "提升群众", "加强社区", "严格企业"])
def test_a_verb_then_a_noun_is_no_unit(phrase):
    assert not is_unit_name(phrase)
    assert names_no_unit(phrase)


def test_a_verb_then_a_noun_before_canyu_is_no_supporting_unit():
    text = "会议要求：城北镇要开展卫生整治，把宣传册分送到户，提高市民参与性和知晓率。"
    assert _items(text) == [(["城北镇"], [], None)]


@pytest.mark.parametrize("text", [
    "由县住建局牵头，县财政局负责资金保障，各有关单位配合。",
    "县住建局负责项目推进，相关部门参与。",
])
def test_a_collective_helping_does_not_make_the_named_units_supporting(text):
    leads = [lead for lead, _s, _d in _items(text)]
    assert ["县住建局"] in leads and not any(s == ["县住建局"] for _l, s, _d in _items(text))


def test_units_charged_to_help_a_collective_stay_leads():
    text = "会议要求，公安、城管、卫健等部门要根据各自职责和乡镇(街道)工作需要，全力配合。"
    assert _items(text) == [(["公安", "城管", "卫健"], [], None)]


# --- a phrase written in a 牵头/配合 slot that is no unit's name: a warning naming the line and the phrase ------------

def _slot_warnings(text: str):
    from tasks.importers import messages as msgs
    return [(w.line, w.message.params["slot"], w.message.params["phrase"])
            for w in parse_decisions(text, year=2026).warnings if w.message.template == msgs.SLOT_NOT_A_UNIT]


@pytest.mark.parametrize(("text", "want"), [
    ("会议纪要\n由县住建局牵头，通过走访入户等办法争取群众的支持配合，6月底前完成。",
     [(2, "配合单位", "通过走访入户等办法争取群众的支持")]),
    ("会议纪要\n一、加快老旧小区改造。\n牵头单位：县住建局\n配合单位：积极做好宣传发动\n完成时限：6月底前",
     [(4, "配合单位", "积极做好宣传发动")]),
    ("会议纪要\n由按照规定组织验收牵头，县财政局配合，6月底前完成。", [(2, "牵头单位", "按照规定组织验收")]),
])
def test_a_phrase_in_a_lead_or_helper_slot_that_is_no_name_is_named_in_a_warning(text, want):
    assert _slot_warnings(text) == want


@pytest.mark.parametrize("text", [
    "由县住建局牵头，县财政局配合，6月底前完成。",
    "县住建局要发挥好牵头作用，各单位要加强沟通配合。",
    "相关部门要提前谋划，做好支持与配合。",
    "在县财政局的配合下，县住建局要于6月底前完成改造。",
    "县住建局做好对各街道工作的监督和协助。",
    "要进一步强化协作配合。县城管局要加强巡查。",
])
def test_ordinary_lead_and_helper_wordings_give_no_such_warning(text):
    assert _slot_warnings(text) == []


def test_the_warning_is_in_the_json_and_reads_in_english():
    from django.utils import translation

    from tasks.stored_text import issue_text

    parsed = parse_decisions("由县住建局牵头，通过走访入户等办法争取群众的支持配合。", year=2026)
    warning = next(w for w in parsed.as_json()["warnings"] if "不像单位名称" in w["message"])
    assert warning == {"line": 1,
                       "message": "第1行：配合单位“通过走访入户等办法争取群众的支持”不像单位名称，未列入，请核对。"}
    issue = next(w.message for w in parsed.warnings if "不像单位名称" in w.message)
    with translation.override("en"):
        assert issue_text(issue) == ('Line 1: Supporting unit "通过走访入户等办法争取群众的支持" does not read as a '
                                     "unit's name and was left out; please check.")


# --- one lexicon of organisation words for the recogniser and the parser ----------------------------------------

def test_the_parser_closes_a_units_name_with_the_recognisers_lexicon():
    import re

    from tasks.importers import decisions, orgnames

    assert decisions._UNIT_END is orgnames.UNIT_END
    plain = [w for w, only in orgnames._ENTRIES if only != "n" and not re.search(r"[()?<|]", w)]
    # each plain word the clause patterns close a name with is a name's ending the recogniser reads (科协 is read as
    # a department's short name, not through an ending)
    assert [w for w in plain if not orgnames.is_unit_name("城东" + w)] == ["科协"]
    assert orgnames.is_unit_name("县科协")
    assert set(plain) - {"管委会", "电视台", "妇联", "残联", "侨联", "文联", "工商联", "科协"} <= set(orgnames.SUFFIXES)


# === session 22, h34fix2: the classes of the fifteenth and sixteenth held-out batches (now tuning material) ======

# --- a numbered heading on a line of its own, then the paragraph under it ---------------------------------------

@pytest.mark.parametrize("heading", ["2、工作上要抓紧部署", "（一）道路交通领域", "三、抓好重点行业监管"])
def test_a_numbered_heading_runs_into_no_name_or_clause_of_the_paragraph_under_it(heading):
    text = (f"{heading}\n"
            "县畜牧局要及时组织技术人员下村指导牛羊圈舍保暖。县供电公司要加强线路巡查，做好抢修准备工作。\n")
    assert _items(text) == [(["县畜牧局"], [], None), (["县供电公司"], [], None)]


def test_a_numbered_heading_that_names_a_unit_still_charges_it_with_the_paragraph_under_it():
    text = "（一）县住建局\n加快推进老旧小区改造，确保年内开工十个小区的改造工程。\n"
    assert _items(text) == [(["县住建局"], [], D(2026, 12, 31))]


def test_a_paragraph_broken_over_lines_after_its_number_is_read_as_one():
    text = "一、县交通局要在11月底前完成全部\n危桥的排查，建立台账，逐一落实整改措施。\n"
    parsed = parse_decisions(text, year=2026).items
    assert [(d.lead_units, d.deadline) for d in parsed] == [(["县交通局"], D(2026, 11, 30))]
    assert "完成全部危桥的排查" in parsed[0].text


# --- the 部门 closing short names belongs to them, also before another party joined on ----------------------------

@pytest.mark.parametrize(("text", "leads"), [
    ("公路、交通部门和各乡镇要加强对易结冰路段的管控。", ["公路", "交通", "各乡镇"]),
    ("城管、环卫部门及各街道要及时清扫积雪。", ["城管", "环卫", "各街道"]),
    ("区公安、保密部门切实做好试卷保管工作。", ["区公安", "保密"]),
    ("公安、文体部门还要密切关注网吧等场所。", ["公安", "文体"]),
])
def test_the_kind_closing_a_run_of_short_names_is_theirs(text, leads):
    assert _items(text) == [(leads, [], None)]


def test_a_kind_closing_one_name_among_named_units_stays_with_it():
    assert _items("县住建局和交通部门要加强对易结冰路段的管控。") == [(["县住建局", "交通部门"], [], None)]


# --- ordering offices: 责令X…, X责令Y… ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "leads"), [
    ("整改措施：责令青石镇人民政府立即拆除违建围墙。", ["青石镇人民政府"]),
    ("整改措施：责令县路政大队、白沙乡人民政府派人现场调查。", ["县路政大队", "白沙乡人民政府"]),
    ("责令东关街道办事处限期清理占道堆放物。", ["东关街道办事处"]),
    ("责令城南镇立即组织清理。", ["城南镇"]),
])
def test_a_place_s_government_ordered_to_act_is_named_whole(text, leads):
    assert _items(text) == [(leads, [], None)]


@pytest.mark.parametrize(("text", "lead"), [
    ("整改措施：县工程质量监督站责令施工单位立即整改。", "县工程质量监督站"),
    ("整改措施：县港航事务中心责令该船船主立即更换破损救生设备。", "县港航事务中心"),
])
def test_a_unit_that_orders_an_unnamed_party_to_put_things_right_is_charged(text, lead):
    assert _items(text) == [([lead], [], None)]


def test_what_a_unit_ordered_already_is_no_charge():
    assert _items("上周县工程质量监督站已责令施工单位停工整改。") == []


# --- partners: 结合Y, and 联合Y in a later sentence of the same charge ---------------------------------------------

@pytest.mark.parametrize(("text", "lead", "partners"), [
    ("交通部门要管控好重型货车出行，在建道路要封闭施工，结合交警做好安全防范工作。", "交通部门", ["交警"]),
    ("县城管局要加强夜间巡查，结合县市场监管局做好占道经营整治。", "县城管局", ["县市场监管局"]),
])
def test_partners_after_jiehe_support_the_unit_charged_before(text, lead, partners):
    assert _items(text) == [([lead], partners, None)]


@pytest.mark.parametrize("text", [
    "县城管局要加强夜间巡查，结合实际做好占道经营整治。",
    "县城管局要加强夜间巡查，结合各自工作做好占道经营整治。",
    "县城管局要加强夜间巡查，结合县市场监管局的意见完善方案。",
])
def test_jiehe_before_no_unit_s_name_joins_nobody(text):
    assert _items(text) == [(["县城管局"], [], None)]


@pytest.mark.parametrize(("text", "partners"), [
    ("（一）道路交通\n镇派出所强化巡逻执法，严查超载超速行为。联合交通部门检查客运车辆运行情况。", ["交通部门"]),
    ("（二）消防安全\n镇应急办牵头，组织各村开展入户排查。针对电动自行车，联合市场监管部门检查销售、维修店铺。",
     ["市场监管部门"]),
])
def test_a_sentence_opening_with_lianhe_gives_partners_of_the_unit_charged_before(text, partners):
    assert [s for _l, s, _d in _items(text)] == [partners]


def test_lianhe_before_a_joint_action_still_joins_nobody_in_a_later_sentence():
    text = "镇派出所强化巡逻执法，严查超载超速行为。联合执法检查每周开展一次。"
    assert _items(text) == [(["镇派出所"], [], None)]


def test_huitong_before_an_office_whose_name_holds_an_inspection_word_keeps_it_whole():
    assert _items("县爱卫办要会同县政府督查室扎实开展督导检查。") == [(["县爱卫办"], ["县政府督查室"], None)]


# --- units that carry out the lead named in a 牵头 slot support it -----------------------------------------------

@pytest.mark.parametrize(("text", "support"), [
    ("会议要求，市城管局牵头，东城区政府实施，加快建设应急填埋场。", ["东城区政府"]),
    ("整改措施：由包片单位县水利局牵头，县供电公司、县移动公司按照管理权限予以规范。", ["县供电公司", "县移动公司"]),
    ("由区城管执法局牵头，由区市场监管局、公安、交通等部门参加，组成联合执法组开展整治。",
     ["区市场监管局", "公安", "交通"]),
])
def test_units_carrying_out_the_lead_of_a_qiantou_slot_support_it(text, support):
    lead = ["市城管局"] if "市城管局" in text else ["县水利局"] if "县水利局" in text else ["区城管执法局"]
    assert _items(text) == [(lead, support, None)]


@pytest.mark.parametrize(("text", "found"), [
    # a unit charged with 负责/要 after the lead's clause has a part of its own
    ("由县住建局牵头，县财政局负责筹措资金。", [(["县住建局"], [], None), (["县财政局"], [], None)]),
    # a person in the 牵头 slot: the unit that carries it out leads
    ("环境整治由张明牵头，城关镇落实。", [(["城关镇"], [], None)]),
    # units that took part in the meeting are no one's supporting units
    ("县生态环境局、县公安局等单位参加会议。县住建局要加强工地扬尘管控。", [(["县住建局"], [], None)]),
])
def test_other_charges_after_a_qiantou_slot_keep_their_own_leads(text, found):
    assert _items(text) == found


# --- a point that names a stage of the work is no deadline ---------------------------------------------------------

@pytest.mark.parametrize("text", [
    "县住建局要压实责任，全力以赴打好清洁取暖年底收官之战。",
    "县住建局要倒排工期，做好迎接年底考核的准备。",
    "县住建局要加强调度，打好10月底冲刺。",
])
def test_a_point_naming_a_stage_of_the_work_is_no_deadline(text):
    assert _items(text) == [(["县住建局"], [], None)]


@pytest.mark.parametrize(("text", "due"), [
    ("县住建局要于年底前完成考核验收。", D(2026, 12, 31)),
    ("县住建局要确保10月底完成冲刺任务。", D(2026, 10, 31)),
])
def test_a_point_the_work_is_due_by_stays_a_deadline(text, due):
    assert _items(text) == [(["县住建局"], [], due)]


# --- a list of names before its role word is no two charges; 负总责 beside the units that 牵头 ---------------------

def test_a_list_of_names_before_qiantou_stays_one_list():
    text = ("会议要求，县交通运输局要加强路面巡查，县住房和城乡建设局、县城市管理执法局、县自然资源局牵头，"
            "对违规倾倒建筑垃圾的单位严肃查处。")
    assert _items(text) == [(["县交通运输局"], [], None),
                            (["县住房和城乡建设局", "县城市管理执法局", "县自然资源局"], [], None)]


def test_one_charge_s_end_then_the_next_unit_s_qiantou_are_still_two_charges():
    text = "由县财政局负责资金保障工作、县住建局牵头、县交通局配合做好道路改造。"
    assert _items(text) == [(["县财政局"], [], None), (["县住建局"], ["县交通局"], None)]


def test_a_unit_answering_overall_beside_the_units_that_lead_are_the_leads_of_one_charge():
    text = "一是要加强源头管理，各镇属地政府负总责，县住建局、县城管局牵头，对违规单位严肃查处；"
    assert _items(text) == [(["各镇属地政府", "县住建局", "县城管局"], [], None)]


# --- when or where, written between who and what they are to do ---------------------------------------------------

@pytest.mark.parametrize(("text", "leads"), [
    ("县市场监管、环保、消防等部门在审批餐饮网点时要事先征求社区意见。", ["县市场监管", "环保", "消防"]),
    ("县市场监管局在该路段审批餐饮网点时，要事先与县城管局搞好沟通。", ["县市场监管局"]),
    ("县水利局在汛期期间要实行24小时值班。", ["县水利局"]),
])
def test_a_while_clause_between_the_units_and_their_yao_is_no_part_of_them(text, leads):
    assert _items(text) == [(leads, [], None)]


def test_a_department_doing_the_work_at_a_place_is_charged_without_yao():
    text = "卫健部门在每个考点组织一支医疗救护队，市场监管部门全力开展食品安全检查。"
    assert _items(text) == [(["卫健部门"], [], None), (["市场监管部门"], [], None)]


def test_what_a_department_did_at_a_place_is_no_charge():
    assert _items("会上，卫健部门在每个考点组织了一支医疗救护队。") == []


def test_a_unit_doing_the_work_with_all_its_strength_is_charged():
    assert _items("县教育局举全局之力做好考务工作，县政府严阵以待。") == [(["县教育局"], [], None)]


def test_the_word_suozai_is_no_place_the_work_is_done_at():
    text = "县住建局要紧盯拆迁进度，对项目所在地学校加强业务指导，实现信息共享。"
    parsed = parse_decisions(text, year=2026).items
    assert [(d.lead_units, d.text) for d in parsed] == [(["县住建局"], text)]


# --- a request made after another sentence's words; whom a unit works with ----------------------------------------

def test_a_request_opened_with_bing_charges_the_unit_named_before_its_comma():
    text = ("局长一行检查了拆除现场，要求当事人尽快停止违法行为。并要求城南执法中队，切实加大违建查处力度，"
            "积极与公安和街道相关科室配合，加快拆除进度。")
    assert _items(text) == [(["城南执法中队"], [], None)]


@pytest.mark.parametrize("text", [
    "县城管局要加快拆除进度，积极与公安和街道相关科室配合。",
    "县城管局要加快拆除进度，主动同县公安局协作配合。",
])
def test_whom_the_unit_charged_works_with_supports_nobody(text):
    assert _items(text) == [(["县城管局"], [], None)]


# --- collectives charged to help a named unit with what it does first -------------------------------------------

@pytest.mark.parametrize(("text", "helpers"), [
    ("一是要迅速行动，各街道要配合区自然资源局第一时间深入摸排、掌握底数；", "各街道"),
    ("各乡镇要积极配合区自然资源局立即开展排查。", "各乡镇"),
])
def test_collectives_charged_to_help_a_named_unit_support_it(text, helpers):
    assert _items(text) == [(["区自然资源局"], [helpers], None)]


# --- collectives asked to help in a sentence of their own ---------------------------------------------------------

@pytest.mark.parametrize("after", ["各部门主动配合，相互帮助，全力打好攻坚战。", "各相关单位积极配合做好保障工作。"])
def test_collectives_asked_to_help_in_a_sentence_of_their_own_support_no_one(after):
    text = f"会议要求，县大气办要总抓总部署。{after}"
    assert _items(text) == [(["县大气办"], [], None)]


def test_collectives_helping_in_the_charge_s_own_sentence_still_support_it():
    text = "由县大气办牵头，各部门主动配合，开展扬尘专项整治。"
    assert _items(text) == [(["县大气办"], ["各部门"], None)]


def test_collectives_asked_to_help_a_named_unit_in_a_sentence_of_their_own_support_it():
    text = "县城管局要开展夜间巡查。各街道积极配合县住建局做好拆违工作。"
    assert _items(text)[-1] == (["县住建局"], ["各街道"], None)


# --- a 整改 form laid out one cell a line, its field names without colons ----------------------------------------

def test_a_form_one_cell_a_line_with_names_without_colons_is_one_decision():
    text = ("关于督察整改任务销号的公示\n\n具体整改情况表\n\n整改任务\n\n"
            "垃圾清运不及时。城西片区生活垃圾日产日清率不足80%。\n\n责任单位\n\n县城管局、县住建局、城关镇\n\n整改目标\n\n建立长效保洁机制。\n\n整改措施\n\n"
            "（一）加密清运频次。县城管局组织人员每日巡查。\n（二）完善考核办法。\n")
    found = parse_decisions(text, year=2026).items
    assert [(d.text[:8], d.lead_units, d.supporting_units, d.deadline) for d in found] == [
        ("垃圾清运不及时。", ["县城管局", "县住建局", "城关镇"], [], None)]


def test_headings_alone_on_their_lines_are_no_form():
    text = "整改措施\n\n县城管局要加密清运频次。\n\n工作要求\n\n县住建局要完善考核办法。\n\n责任单位\n\n"
    assert _items(text) == [(["县城管局"], [], None), (["县住建局"], [], None)]


# --- precision: phrases read as units that name none --------------------------------------------------------------

def test_a_principle_of_whoever_names_no_unit():
    assert names_no_unit("谁管理") and names_no_unit("谁")
    assert _items("遵照“谁收费、谁管理、谁负责”原则，要切实管理好便民市场。") == []


def test_cadres_are_persons_not_units():
    assert _items("各村干部要在岗值守，包村干部负责巡查。") == []


@pytest.mark.parametrize("text", ["县水利局要多方筹措资金，广泛吸引社会资本参与。",
                                  "县水利局要加强宣传，广泛发动群众参与。"])
def test_whom_a_unit_invites_to_take_part_supports_nothing(text):
    assert _items(text) == [(["县水利局"], [], None)]


# === session 22, h34fix3: the classes heldout17/18 showed ==========================================================

# --- a problem list's caption that names who answers, in brackets, for the numbered problems under it -------------

def _texts(text: str, year: int | None = 2026):
    return [(d.text, d.lead_units) for d in parse_decisions(text, year=year).items]


@pytest.mark.parametrize("sep", ["、", "﹑", "."])
def test_a_caption_with_its_bracketed_units_heads_the_problems_under_it(sep):
    text = (f"3月2日,市督导组对城区进行暗访。现将问题曝光如下:\n\n"
            f"青松社区(责任单位:东城区青松街道办事处青松社区)\n\n1{sep}宣传栏破损未更换\n\n2{sep}楼道堆放杂物\n\n"
            f"柳湾街道办:(责任单位:西城区柳湾街道办事处)\n\n1{sep}无障碍通道被占用\n\n2{sep}垃圾桶未分类\n\n"
            f"3{sep}电线乱拉乱搭\n")
    got = [t for t in _texts(text) if t[1] != ["市督导组"]]
    assert [lead for _t, lead in got] == [["东城区青松街道办事处青松社区"], ["西城区柳湾街道办事处"]]
    assert "宣传栏破损未更换" in got[0][0] and "楼道堆放杂物" in got[0][0] and "青松社区" in got[0][0]
    assert "无障碍通道被占用" in got[1][0] and "电线乱拉乱搭" in got[1][0]
    assert "无障碍通道" not in got[0][0]  # the last problem of a block runs into no next caption


def test_a_numbered_caption_heads_the_problems_numbered_otherwise_under_it():
    text = ("一﹑南湖街道办白沙社区 (责任单位:白沙社区)\n\n1﹑灭烟标识缺失\n\n2﹑大厅秩序杂乱\n\n"
            "二﹑南湖街道办红星社区(责任单位:红星社区)\n\n1﹑宣传栏内容缺失\n")
    got = _texts(text)
    assert [lead for _t, lead in got] == [["白沙社区"], ["红星社区"]]
    assert "灭烟标识缺失" in got[0][0] and "大厅秩序杂乱" in got[0][0] and "宣传栏内容缺失" in got[1][0]


def test_a_problem_that_ends_with_its_units_is_no_caption():
    # no numbered problems under it: the line is a problem of its own, read as before
    got = _texts("1、青松路占道经营严重(责任单位:东城区城管局)\n2、柳湾路垃圾未清运(责任单位:西城区城管局)\n")
    assert [lead for _t, lead in got] == [["东城区城管局"], ["西城区城管局"]]


# --- a list of duties naming each unit in a sentence of its own, or with 职责 before the colon -------------------

def test_a_unit_named_in_a_sentence_of_its_own_then_its_duty_is_charged_with_it():
    text = ("各成员单位及其职责如下:县水利局。负责对全县河道清淤工作实施统一监督。县交通局、航道局。负责沿线巡查,"
            "依法查处。县林业局。负责护岸林的补植。")
    got = _texts(text)
    assert [lead for _t, lead in got] == [["县水利局"], ["县交通局", "航道局"], ["县林业局"]]
    assert got[1][0].startswith("县交通局、航道局。负责沿线巡查")  # the text as written, its 。 kept


def test_a_unit_with_duties_before_the_colon_is_charged_whatever_the_duty_opens_with():
    text = ("市河道监察支队职责:成立河道巡查大队,负责对各区河道进行巡查。\n"
            "市水利局、市城管局职责:结合各职能,依法对上报的违法行为进行认定。\n")
    assert [lead for _t, lead in _texts(text)] == [["市河道监察支队"], ["市水利局", "市城管局"]]


@pytest.mark.parametrize("text", ["会议指出。负责人要靠前指挥。", "今年以来,全县秸秆禁烧成效明显。负责同志要带头。",
                                  "明确岗位职责:各村要落实网格员。"])
def test_no_names_before_the_stop_or_the_duties_is_no_charge(text):
    assert _items(text) == []


# --- what a duty's unit does to others is no unit: 依据职责, 指导…, 协调… -------------------------------------------

@pytest.mark.parametrize("phrase", ["依据职责", "指导各区县城管办", "协调公安"])
def test_a_phrase_opening_with_guiding_or_coordinating_names_no_unit(phrase):
    assert names_no_unit(phrase)


@pytest.mark.parametrize("name", ["市协调办", "县农技指导站", "区社会矛盾协调中心", "协调办"])
def test_names_holding_those_words_are_still_units(name):
    assert is_unit_name(name) and not names_no_unit(name)


def test_a_duty_to_assist_according_to_ones_remit_has_no_supporting_unit():
    assert _items("市政府法制办:依据职责协助相关部门处理好整治中涉及的法制事务。") == [(["市政府法制办"], [], None)]


# --- a committee's short name before the colon of its duty ------------------------------------------------------

@pytest.mark.parametrize("name", ["商委", "农林委", "市建委"])
def test_a_committee_named_before_the_colon_of_its_duty_is_charged_alone(name):
    assert _items(f"{name}:协调公安、供销社做好供应点的需求统计,掌握供销情况。") == [([name], [], None)]


# --- 协同 alone after a charged unit's 要, before a name: as 会同 -------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("县供电部门要协同规划部门科学制订实施方案,加快推进电网入地工作。", (["县供电部门"], ["规划部门"], None)),
    ("县教育局要协同县公安局、县交通局做好校车安全管理。", (["县教育局"], ["县公安局", "县交通局"], None)),
    # not 协同配合 (a helper), nor 协同推进 (how X works)
    ("县教育局要积极配合县公安局做好校车安全管理。", (["县公安局"], ["县教育局"], None)),
    ("县水利局要协同推进河道整治。", (["县水利局"], [], None)),
])
def test_a_unit_that_is_to_work_together_with_a_named_unit_leads_it(text, want):
    assert _items(text) == [want]


# --- units that carry out a lead's work 具体落实, after its helpers' clause too -----------------------------------

@pytest.mark.parametrize("text, supporting", [
    ("由市农业局牵头负责,县市区、乡级政府具体落实。", ["县市区", "乡级政府"]),
    ("整改工作由市农业局牵头负责,市水利局配合,县市区、乡级政府具体落实。", ["市水利局", "县市区", "乡级政府"]),
    ("由市农业局牵头,市水利局配合,县住建局具体实施。", ["市水利局", "县住建局"]),
])
def test_units_that_carry_out_a_lead_in_detail_support_it_in_one_decision(text, supporting):
    assert _items(text) == [(["市农业局"], supporting, None)]


def test_a_unit_with_work_of_its_own_after_the_helpers_is_a_charge_of_its_own():
    assert _items("由市农业局牵头负责,市水利局配合,县住建局要加强巡查。") == [
        (["市农业局"], ["市水利局"], None), (["县住建局"], [], None)]


# --- 将 between a list of names and its role word ---------------------------------------------------------------

@pytest.mark.parametrize("text", ["由区委政法委、区综治办将牵头,整治全区所有小区乱象。",
                                  "区委政法委、区综治办将牵头整治全区所有小区乱象。",
                                  "区委政法委、区综治办也将牵头整治全区所有小区乱象。"])
def test_will_between_the_names_and_their_role_word_keeps_every_name(text):
    assert _items(text) == [(["区委政法委", "区综治办"], [], None)]


# --- an unnamed party joined onto a named unit by 及/和 is no unit ----------------------------------------------

@pytest.mark.parametrize("text, leads", [
    ("街道执法中队、城管南城中队、社区及物业服务企业等要密切协同配合,形成合力。",
     ["街道执法中队", "城管南城中队", "社区"]),
    ("县住建局及施工单位要加强工地巡查。", ["县住建局"]),
    ("县住建局和物业企业要加强小区巡查。", ["县住建局"]),
])
def test_an_unnamed_party_joined_onto_a_unit_is_left_out(text, leads):
    assert [lead for lead, _s, _d in _items(text)] == [leads]


def test_a_party_charged_alone_is_still_no_decision():
    assert _items("物业服务企业要加强小区巡查。") == []


# --- collectives doing their part of a lead named in a 牵头 slot support it ------------------------------------

@pytest.mark.parametrize("text, want", [
    ("此项工作由县建设局牵头,各街道办事处负责本辖区的具体普查工作。", (["县建设局"], ["各街道办事处"], None)),
    ("由县住建局牵头,各乡镇负责辖区内的排查。", (["县住建局"], ["各乡镇"], None)),
])
def test_collectives_doing_their_part_of_a_named_lead_support_it(text, want):
    assert _items(text) == [want]


def test_a_collective_handed_a_task_of_its_own_with_by_is_no_helper_of_the_lead():
    # "由各连负责安排" is a task of its own handed to a collective (unlabelled), not a part of the lead's
    assert _items("停送电由县供电所牵头,所需劳力由各连负责安排。") == [(["县供电所"], [], None)]


# --- a duty to do something together with named units: 负责会同 ---------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("市文化执法总队:负责会同公安、城管部门查处非法出版物。", (["市文化执法总队"], ["公安", "城管"], None)),
    ("市林业局:负责会同市公安局查处乱砍滥伐。", (["市林业局"], ["市公安局"], None)),
])
def test_a_duty_to_act_together_with_named_units_makes_them_supporting(text, want):
    assert _items(text) == [want]


# --- a list of duties whose first unit is on its lead-in's line ----------------------------------------------------

def test_the_first_unit_of_a_list_of_duties_written_after_its_lead_in_is_charged():
    text = ("各部门要各司其职,组织好各项禁放工作。其职责分工为:区委宣传部:制订宣传工作方案,协调新闻单位做好宣传报导。\n"
            "商委:协调公安、供销社做好供应点的需求统计。\n")
    assert [(lead, sup) for lead, sup, _d in _items(text)] == [(["区委宣传部"], []), (["商委"], [])]


@pytest.mark.parametrize("phrase", ["协调新闻单位", "加强施工企业"])
def test_a_verb_then_a_kind_of_party_is_no_unit(phrase):
    assert not is_unit_name(phrase)


# === session 22, h34fix4 ===========================================================================================
# --- a meeting agrees to what a unit proposed and hands it back to it --------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("一、听取关于某路改造工程情况汇报。会议原则同意区城投公司提出的改造方案,要求根据会议审议意见作进一步修改完善后,"
     "依法依规组织实施。\n", ["区城投公司"]),
    ("二、会议审议了《年度计划》。\n会议同意县统计局提出的《年度计划》,作进一步修改完善后提请县委常委会审议。\n",
     ["县统计局"]),
    ("会议听取了市民政局负责人关于《实施细则》的汇报。原则同意市民政局提交的关于《实施细则》的意见,按程序提交市委常委会议定。\n",
     ["市民政局"]),
    ("会议同意区财政局、区审计局提出的《管理办法》,作进一步修改完善后印发执行。\n", ["区财政局", "区审计局"]),
])
def test_the_unit_whose_proposal_a_meeting_agreed_and_handed_back_leads(text, want):
    assert [lead for lead, _s, _d in _items(text)] == [want]


def test_a_proposal_agreed_and_handed_to_another_unit_is_that_units():
    text = "会议原则同意县交通局提出的改造方案,由县城投公司负责组织实施。\n"
    assert [lead for lead, _s, _d in _items(text)] == [["县城投公司"]]


def test_a_proposal_agreed_without_being_handed_back_charges_nobody():
    assert _items("会议原则同意县交通局提出的改造方案。\n") == []


@pytest.mark.parametrize("phrase", ["根据会", "按照会议", "依照规定"])
def test_a_phrase_opening_with_what_the_work_goes_by_is_no_unit(phrase):
    assert names_no_unit(phrase)


# --- a numbered duty whose unit stands in a sentence of its own: '(二十一)X部门。负责…' ---------------------------

def test_a_numbered_unit_in_a_sentence_of_its_own_before_its_duty_is_charged():
    text = ("(二十一)审计部门。负责对专项资金进行监督检查,通报、处理各种违规、挪用的行为。\n"
            "(二十二)司法部门。负责研究整治工作中的法律适用问题。\n")
    assert [lead for lead, _s, _d in _items(text)] == [["审计部门"], ["司法部门"]]


# --- an item's number written before its unit after a full stop: '。(1)X…' ----------------------------------------

def test_an_item_number_before_a_unit_is_no_part_of_its_name():
    text = "(二)工作安排。(1)各镇人民政府按照县里下发的方案,会同县交通局、县公安局做好清理工作。\n"
    leads, supporting, _d = _items(text)[0]
    assert leads == ["各镇人民政府"] and supporting == ["县交通局", "县公安局"]


# --- a list's 等 tail with a bracketed kind, and kinds closing a list before a party joined on ---------------------

def test_a_list_closed_by_etc_with_a_bracketed_kind_keeps_its_names():
    text = "供水、供气、通信等相关部门(单位)要确定一名联系人,加强与规划部门的沟通。\n"
    assert [lead for lead, _s, _d in _items(text)] == [["供水", "供气", "通信"]]
    assert unit_list("供水、供气、通信等相关部门(单位)") == ["供水", "供气", "通信"]


def test_kinds_closing_a_list_before_a_party_joined_on_are_no_name_and_a_comma_before_yao_after_zhenjie_is_one_clause():
    text = "会议要求,县民政局、县养老服务中心等部门、单位及各镇街,要做好养老机构的安全检查。\n"
    assert [lead for lead, _s, _d in _items(text)] == [["县民政局", "县养老服务中心", "各镇街"]]


# --- a leader's order before the units charged: '张某当场指示X、Y…要' ---------------------------------------------

def test_who_gave_an_order_is_no_part_of_the_first_unit_charged():
    text = "王新当场指示县水利局、县住建局、城关镇要对相关问题进行调查核实。\n"
    assert [lead for lead, _s, _d in _items(text)] == [["县水利局", "县住建局", "城关镇"]]


# --- a list of bare places closed by a place with its government: the government is each place's -----------------

@pytest.mark.parametrize("span, want", [
    ("甲县、乙区、丙区政府", ["甲县政府", "乙区政府", "丙区政府"]),
    ("东镇、西镇人民政府", ["东镇人民政府", "西镇人民政府"]),
    ("甲县政府、乙区政府", ["甲县政府", "乙区政府"]),
    ("市公安局、乙区政府", ["市公安局", "乙区政府"]),  # a name of its own is no bare place
    ("甲镇、县工业园区管委会", ["甲镇", "县工业园区管委会"]),  # a park's committee is no seat the town shares
    ("全市", None), ("各旅游景区", None),  # (the recogniser's own place pattern is untouched)
])
def test_a_government_written_once_after_a_list_of_places_is_each_places(span, want):
    if want is None:
        assert not is_unit_name(span)
    else:
        assert unit_list(span) == want


def test_a_duty_handed_to_places_whose_government_is_written_once_charges_each_government():
    text = "职责分工:\n甲县、乙区政府和丙开发区管委会:负责本辖区内专项整治工作。\n"
    assert [lead for lead, _s, _d in _items(text)] == [["甲县政府", "乙区政府", "丙开发区管委会"]]


# --- 协管 closing a clause is a helper's word, as 协助/配合 are -----------------------------------------------------

def test_units_that_xieguan_after_a_charge_support_it():
    text = "县城管大队负责整治后夜市的管理工作,其它相关部门协管。\n"
    assert _items(text) == [(["县城管大队"], ["其它相关部门"], None)]


# --- collectives that only carry out a lead's work of the same sentence: '…,各区人民政府负责具体组织实施' ----------

def test_collectives_that_carry_out_the_work_a_unit_leads_support_it():
    text = "县城管局、县环保局牵头开展全县油烟治理工作,各乡镇人民政府负责具体组织实施。\n"
    assert _items(text) == [(["县城管局", "县环保局"], ["各乡镇人民政府"], None)]


def test_collectives_with_work_of_their_own_after_a_lead_are_no_helpers():
    text = "县城管局牵头开展全县油烟治理工作,各乡镇人民政府负责辖区内餐饮店的排查登记。\n"
    assert all("各乡镇人民政府" not in sup for _l, sup, _d in _items(text))


# --- the units a lead leads in the work, between 牵头 and what they do: 'X牵头Y对…' -------------------------------

@pytest.mark.parametrize("text, want", [
    ("县编办牵头县各有关部门对公共服务事项进行梳理。\n", (["县编办"], ["县各有关部门"], None)),
    ("县编办牵头县公安局、县城管局对公共服务事项进行梳理。\n", (["县编办"], ["县公安局", "县城管局"], None)),
])
def test_units_a_lead_leads_in_the_work_support_it(text, want):
    assert _items(text) == [want]


# --- units that are to give a charge their support: '…,其他职能部门要给予相应的支持' ---------------------------------

def test_units_asked_to_give_a_charge_their_support_support_it():
    text = "县商务局和城关镇等相关单位要加强对企业的指导服务,其他职能部门要给予相应的支持。\n"
    assert _items(text) == [(["县商务局", "城关镇"], ["其他职能部门"], None)]


def test_support_given_to_what_is_done_is_no_helper():
    text = "县商务局要加强对企业的指导,对符合条件的企业给予资金支持。\n"
    assert _items(text) == [(["县商务局"], [], None)]


# --- a unit's officials charged in its stead: 'X局相关部门负责人要…', 'A局、B镇主要负责人要…' -----------------------

@pytest.mark.parametrize("text, want", [
    ("县交通运输局相关部门负责人要做好企业和行管部门的组织协调工作。\n", ["县交通运输局"]),
    ("县长当场指示县国土局、县规划局、城关镇主要负责人要核实问题。\n", ["县国土局", "县规划局", "城关镇"]),
])
def test_a_units_officials_charged_charge_the_unit(text, want):
    assert [lead for lead, _s, _d in _items(text)] == [want]


def test_the_officials_of_collectives_charge_no_named_unit():
    assert _items("各单位主要负责人要亲自抓。\n") == []
    assert _items("要明确工作要求抓落实,项目部主要负责人要集中精力,攻坚克难。\n") == []  # a kind, no name
