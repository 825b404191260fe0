"""The minutes parser, session 20: shapes of handing out work that the rotated eighth held-out set showed missing.

Each test writes the shape in other words and units than any corpus document (a class, not a document)."""

from datetime import date

import pytest

from tasks.importers.decisions import parse_decisions


def _items(text: str, year: int | None = 2026):
    return [(d.lead_units, d.supporting_units, d.deadline) for d in parse_decisions(text, year=year).items]


def test_a_group_that_asks_is_not_charged_whatever_the_group_is_called():
    # 督查组 was known; 监管问责小组 / 调研组 / 问责组 are groups that ask as well
    for group in ("监管问责小组", "市创文调研组", "县督查问责组"):
        assert _items(f"下一步，{group}要求城关镇持续推进环境整治，做好常态化巡查。") == [(["城关镇"], [], None)]


def test_a_deadline_written_before_the_units_is_not_part_of_their_names():
    assert _items("9月15日前城东村、河口村要完成沟渠清淤工作。") == [(["城东村", "河口村"], [], date(2026, 9, 15))]
    assert _items("年底前，县水利局要完成堤防加固。") == [(["县水利局"], [], date(2026, 12, 31))]


def test_the_units_a_notice_is_handed_to_are_charged():
    assert _items("检查结束后，督查组分别向东关街道及西湖办事处下发整改通知单并限期整改。") == [
        (["东关街道", "西湖办事处"], [], None)]
    assert _items("随后，工作组向县交通运输局发出督办函。") == [(["县交通运输局"], [], None)]


def test_a_unit_that_handles_something_is_charged_with_it():
    assert _items("会议决定：\n1.资产管理处对各学院的大型仪器设备进行统一登记，负责建立总台账。") == [
        (["资产管理处"], [], None)]


def test_a_group_that_inspects_is_not_charged_with_the_inspection():
    assert _items("5月8日，市第三督查组对北山街道进行实地督查检查，发现问题两处。") == []


def test_each_item_of_a_list_of_duties_names_who_does_it():
    items = _items("县发改局牵头筹措资金、倒排工期；县自然资源分局现场与企业核对用地红线，一对一的协助企业办理手续；"
                   "咨询单位现场讲解申报要求。")
    assert items[:2] == [(["县发改局"], [], None), (["县自然资源分局"], [], None)]


def test_a_problem_listed_with_semicolons_is_not_a_duty():
    parsed = _items("1.污水站被杂物遮挡；\n2.服务站未设置公示牌；\n责任单位：县住建局")
    assert all(leads == ["县住建局"] for leads, _s, _d in parsed) and parsed


def test_a_modifier_before_a_support_word_is_no_unit():
    assert _items("由县商务局牵头，在各乡镇的配合下，一对一的协助商户完成登记。") == [(["县商务局"], [], None)]


def test_a_unit_named_again_by_its_kind_is_the_last_one_of_that_kind_written_before():
    items = _items("座谈会上，调研组听取了县住房和城乡建设局的汇报，对县住建局近年来的工作表示肯定，希望该局要加快"
                   "老旧小区改造进度。", year=None)
    assert items == [(["县住建局"], [], None)]
    assert _items("督查组到石门镇检查秸秆禁烧。该镇要落实网格责任，10月底前完成清理。") == [
        (["石门镇"], [], date(2026, 10, 31))]


def test_the_unit_a_sentence_is_about_is_charged_with_what_it_is_to_do_next():
    items = _items("调研组认为，高新区自成立以来，项目建设推进有力，下一步要聚焦主导产业，加快标准厂房建设。")
    assert items == [(["高新区"], [], None)]


def test_collectives_asked_to_help_before_anyone_leads_do_not_support_a_later_sentences_lead():
    items = _items("三是做好统筹。涉及多个社区的事项，各社区要积极配合。9月1日前，东城社区要提交整改报告。")
    assert items == [(["东城社区"], [], date(2026, 9, 1))]
    # beside a lead of their own sentence they still support it
    assert _items("由县城管局牵头，各乡镇要积极配合，6月底前完成。") == [(["县城管局"], ["各乡镇"], date(2026, 6, 30))]


def test_a_record_page_with_each_field_under_its_label_is_one_decision_per_record():
    page = ("督办系统 首页 通知公告\n\n督办单编号:\n12\n督办日期:\n2025-03-02\n牵头单位:\n区住建局\n配合单位:\n"
            "区城管局、东湖街道\n督办事项:\n关于加快背街小巷雨污分流改造的督办通知\n督办内容:\n"
            "经核查，部分路段雨污混接问题仍未解决，请你单位高度重视，立即组织整改。\n办理时限:\n2025年4月30日\n")
    assert _items(page, year=2025) == [(["区住建局"], ["区城管局", "东湖街道"], date(2025, 4, 30))]
    items = parse_decisions(page, year=2025).items
    assert items[0].text == "关于加快背街小巷雨污分流改造的督办通知"


def test_two_records_on_one_page_are_two_decisions():
    record = ("交办单编号:\n{n}\n责任单位:\n{unit}\n交办单标题:\n关于{what}问题的交办通知\n交办内容:\n"
              "请你单位立即整改。\n")
    page = "\n".join(record.format(n=n, unit=unit, what=what)
                     for n, unit, what in ((1, "县水务局", "河道漂浮物"), (2, "城关镇", "垃圾堆放")))
    assert [(d.text, d.lead_units) for d in parse_decisions(page, year=2024).items] == [
        ("关于河道漂浮物问题的交办通知", ["县水务局"]), ("关于垃圾堆放问题的交办通知", ["城关镇"])]


def test_a_unit_then_by_when_then_the_work_is_charged():
    assert _items("会议要求，县城管局年底前完成背街小巷整治。") == [(["县城管局"], [], date(2026, 12, 31))]
    assert _items("城东街道办5月20日前拿出拆迁安置方案。") == [(["城东街道办"], [], date(2026, 5, 20))]


def test_a_deadline_the_last_charge_sets_for_all_of_a_paragraph_is_each_ones():
    assert _items("会议指出，县水务局要加快管网建设，县自然资源局要做好用地保障，两项工作均于8月底前完成。") == [
        (["县水务局"], [], date(2026, 8, 31)), (["县自然资源局"], [], date(2026, 8, 31))]


# The usual shapes of a 会议纪要's 议定事项 (a guard: each was read right before session 20 too, or by its classes).
SHAPES = [
    ("会议议定：由县住建局牵头，县财政局、县自然资源局配合，于2026年8月15日前完成老旧小区改造方案。",
     [(["县住建局"], ["县财政局", "县自然资源局"], date(2026, 8, 15))]),
    ("会议明确，县发改局负责，县统计局协助，6月底前完成项目申报。", [(["县发改局"], ["县统计局"], date(2026, 6, 30))]),
    ("一、关于老旧小区改造\n（一）由区住建局牵头，各街道配合，本月内完成摸底。", [(["区住建局"], ["各街道"], None)]),
    ("1.加快安置房建设。责任单位：县住建局（牵头），县财政局、城关镇。完成时限：2026年10月底前。",
     [(["县住建局"], ["县财政局", "城关镇"], date(2026, 10, 31))]),
    ("会议议定：县交通运输局要立即组织对危桥进行排查。", [(["县交通运输局"], [], None)]),
    ("会议要求，县市场监管局牵头，长期坚持开展食品安全专项检查。", [(["县市场监管局"], [], None)]),
    ("会议决定：\n1.由县水利局牵头，县农业农村局配合，于5月20日前完成水毁工程修复。\n"
     "2.县应急管理局负责做好防汛物资储备，6月上旬前到位。",
     [(["县水利局"], ["县农业农村局"], date(2026, 5, 20)), (["县应急管理局"], [], date(2026, 6, 10))]),
    ("三、县卫健局、县医保局分别负责，年底前完成医共体建设。", [(["县卫健局", "县医保局"], [], date(2026, 12, 31))]),
    ("会议指出，县自然资源局要会同县林业局，于7月15日前完成林地占用审查。",
     [(["县自然资源局"], ["县林业局"], date(2026, 7, 15))]),
    ("会议要求：县公安局负责，各乡镇配合，立即开展道路交通安全隐患排查，并长期坚持。",
     [(["县公安局"], ["各乡镇"], None)]),
    ("会议研究议定如下事项：一、由市城投公司牵头负责项目融资，市财政局协助，第三季度末前到位。",
     [(["市城投公司"], ["市财政局"], date(2026, 9, 30))]),
    ("牵头单位：县文旅局；配合单位：县住建局、县交通运输局；完成时限：2026年12月31日",
     [(["县文旅局"], ["县住建局", "县交通运输局"], date(2026, 12, 31))]),
    ("会议强调，各乡镇要高度重视安全生产工作。县应急局要于6月15日前开展一次专项检查。",
     [(["县应急局"], [], date(2026, 6, 15))]),
]


@pytest.mark.parametrize("text, expected", SHAPES, ids=range(len(SHAPES)))
def test_the_usual_shapes_of_decided_items(text, expected):
    assert _items(text) == expected


def test_a_web_table_one_cell_per_line_whose_number_column_is_called_task_item():
    page = ("区林业局2025年第二季度重点工作任务完成情况\n\n任务项\n\n重点工作内容\n\n牵头责任单位\n\n二季度任务分解\n\n"
            "完成状况\n\n1\n\n推进国土绿化行动，完成荒山造林。\n\n区林业站及各镇林业中心\n\n"
            "1.完成苗木采购。2.组织春季造林\n\n已完成\n\n2\n\n深入开展森林防火宣传。\n\n区森林防火办\n\n"
            "开展宣传活动3次\n\n已完成\n")
    assert [(d.text, d.lead_units) for d in parse_decisions(page, year=2025).items] == [
        ("推进国土绿化行动，完成荒山造林。", ["区林业站", "各镇林业中心"]),
        ("深入开展森林防火宣传。", ["区森林防火办"])]


def test_a_party_named_by_the_service_it_sells_is_no_unit_and_does_not_cut_the_decision():
    items = _items("区水务局作为牵头部门，要摸清管网底数，咨询服务单位要同步介入，确保数据准确，"
                   "区财政局等部门积极配合做好资金保障。")
    assert items == [(["区水务局"], ["区财政局"], None)]
    assert _items("造价单位要在10月底前完成结算审核。") == []


def test_a_unit_ordered_to_act_is_charged():
    assert _items("针对检查发现的问题，责令县环卫所限期整改。") == [(["县环卫所"], [], None)]


def test_work_handed_over_to_a_unit_charges_it():
    assert _items("会议决定，该项目交由县城投公司具体实施，年底前完工。") == [(["县城投公司"], [], date(2026, 12, 31))]
    assert _items("群众反映的路灯不亮问题，已转县城管局办理。") == [(["县城管局"], [], None)]


def test_a_unit_named_to_a_role_takes_it():
    assert _items("该项工作县卫健局为责任单位，县医保局为配合单位。") == [(["县卫健局"], ["县医保局"], None)]


def test_a_unit_that_bears_overall_responsibility_leads():
    assert _items("县应急局负总责，9月底前完成隐患清零。") == [(["县应急局"], [], date(2026, 9, 30))]


@pytest.mark.parametrize("field, role", [
    ("整改单位", "lead"), ("责任主体", "lead"), ("承办部门", "lead"), ("责任科室", "lead"), ("主责单位", "lead"),
    ("协同单位", "support"), ("参与部门", "support"),
])
def test_a_field_of_who_answers_is_read_whatever_its_name(field, role):
    parsed = _items(f"1.农贸市场周边垃圾乱堆。牵头单位：县商务局；{field}：城关镇")
    if role == "support" or field == "主责单位":  # beside a 牵头 field, a 责任 field supports; 主责 leads with it
        want = (["县商务局", "城关镇"], []) if field == "主责单位" else (["县商务局"], ["城关镇"])
    else:
        want = (["县商务局"], ["城关镇"])
    assert [(leads, supporting) for leads, supporting, _d in parsed] == [want]
    assert _items(f"1.农贸市场周边垃圾乱堆。{field}：城关镇") == [
        (["城关镇"] if role == "lead" else [], [] if role == "lead" else ["城关镇"], None)]


def test_a_field_name_in_square_brackets_is_a_field():
    assert _items("7.背街小巷路灯损坏。【责任单位】县城管局【整改时限】8月15日") == [
        (["县城管局"], [], date(2026, 8, 15))]


def test_the_units_a_lead_joins_with_in_the_next_clause_support_it():
    assert _items("会议要求县住建局牵头，联合县城管局、县市场监管局开展燃气安全专项整治，11月15日前完成。") == [
        (["县住建局"], ["县城管局", "县市场监管局"], date(2026, 11, 15))]
    assert _items("县住建局要开展联合执法检查。") == [(["县住建局"], [], None)]  # how, not with whom


def test_it_asked_to_act_is_the_unit_named_before_in_the_sentence():
    assert _items("检查组指出，城西街道背街小巷垃圾清运不及时，要求其立即整改。") == [(["城西街道"], [], None)]
    assert _items("对发现的问题，检查组当场反馈给县住建局，督促其限期整改到位。") == [(["县住建局"], [], None)]


def test_the_unit_demands_are_made_of_is_charged_with_them():
    assert _items("督查组对县城管局提出三点要求：一是加强巡查；二是建立台账。") == [(["县城管局"], [], None)]


def test_a_unit_hoped_to_act_is_charged():
    assert _items("希望县税务局继续发挥职能作用，做好减税降费工作。") == [(["县税务局"], [], None)]
