"""The minutes parser, session 20 (h34tune6): general forms of handing work to units that the rotated ninth
held-out set showed missing.

Each test writes the form in other words and unit names than any corpus document (a class, not a document)."""

from datetime import date

from tasks.importers.decisions import parse_decisions


def _items(text: str, year: int | None = 2026):
    return [(d.lead_units, d.supporting_units, d.deadline) for d in parse_decisions(text, year=year).items]


def test_a_name_in_quotes_keeps_the_separators_inside_them():
    assert _items("会议要求，县“三供一业”移交工作专班要倒排工期，确保按期完成。") == [
        (["县“三供一业”移交工作专班"], [], None)]
    assert _items("区“治违、拆违”指挥部办公室要加强巡查。") == [(["区“治违、拆违”指挥部办公室"], [], None)]


def test_a_word_that_singles_out_or_exemplifies_is_no_part_of_the_first_name():
    assert _items("各单位要加强值守，特别是县供水公司、县燃气公司要做好应急抢修准备。") == [
        (["县供水公司", "县燃气公司"], [], None)]
    assert _items("尤其是城北街道要抓紧清理积存垃圾。") == [(["城北街道"], [], None)]
    assert _items("如县文旅局负责的“景区提质”项目，要加快进度。") == [(["县文旅局"], [], None)]


def test_the_last_of_a_list_joined_by_and_is_a_unit_of_its_own():
    assert _items("各卡口、楼栋、小区及县客运中心要严格落实登记制度。") == [
        (["各卡口", "楼栋", "小区", "县客运中心"], [], None)]
    assert _items("要求北苑学生食堂和南苑教工餐厅做好错峰供餐方案。") == [
        (["北苑学生食堂", "南苑教工餐厅"], [], None)]


def test_a_heading_that_names_a_unit_charges_it_with_each_item_under_it():
    text = ("二、发现问题\n（一）城南街道（5处）\n1.新华路口垃圾箱破损。\n2.东风市场：占道经营，（1）果蔬摊点外溢。\n"
            "（二）县交通运输局（1处）\n1.客运站候车厅有吸烟现象。\n三、整改要求\n请于10月底前整改到位。")
    assert _items(text) == [(["城南街道"], [], None), (["城南街道"], [], None), (["县交通运输局"], [], None)]


def test_an_item_under_a_unit_heading_that_charges_units_itself_keeps_them():
    text = "（一）县住建局\n1.县住建局要会同县城管局清理违规广告牌，9月30日前完成。"
    assert _items(text) == [(["县住建局"], ["县城管局"], date(2026, 9, 30))]


def test_a_heading_that_is_a_topic_names_nobody():
    assert _items("（一）环境卫生（3处）\n1.新华路口垃圾箱破损。\n2.东风市场占道经营。") == []


def test_a_heading_is_the_place_inspected_where_fields_name_who_answers():
    text = ("1. 县第一人民医院\n（1）候诊区垃圾未及时清运；\n（2）停车场车辆乱停。\n"
            "问题整改责任单位：县卫健局 整改时限：3天\n"
            "2. 县中医院\n（1）楼道杂物堆放；")
    assert [leads for leads, _s, _d in _items(text)] == [["县卫健局"]]


def test_requirements_with_no_subject_charge_the_unit_the_visit_was_held_at():
    text = ("6月3日，副区长李明到区卫生健康局调度民生实事推进工作。区卫生健康局领导班子参加会议。\n"
            "李明指出，一是社区卫生服务站建设要倒排工期，9月底前全部投用。二是家庭医生签约要提质扩面。"
            "三是全年任务要对标对表。")
    assert _items(text) == [(["区卫生健康局"], [], date(2026, 9, 30)), (["区卫生健康局"], [], None),
                            (["区卫生健康局"], [], None)]


def test_requirements_with_no_subject_charge_nobody_when_no_unit_is_addressed():
    text = "6月3日，区里召开民生实事推进会。会议指出，一是建设要倒排工期。二是签约要提质扩面。"
    assert _items(text) == []


def test_units_asked_to_work_with_each_other_are_all_charged_in_a_decision_of_their_own():
    text = ("要强化督查，县林业局对护林员到岗情况实施抽查，检查结果纳入考核；"
            "各社区、县消防救援大队、县供电公司和区直各部门要相互配合，通力协作，确保安全。")
    assert _items(text) == [(["县林业局"], [], None),
                            (["各社区", "县消防救援大队", "县供电公司", "区直各部门"], [], None)]


def test_collectives_charged_lead_the_named_units_that_help_them():
    text = "二是压实责任。各施工企业要倒排工期，县住建局、“安居工程”指挥部全力做好配合工作。"
    assert _items(text) == [(["各施工企业"], ["县住建局", "“安居工程”指挥部"], None)]


def test_a_support_word_that_names_what_is_done_for_another_is_no_role():
    assert _items("资产经营科做好对保安公司工作的督促和协助工作。") == [(["资产经营科"], [], None)]


def test_a_level_and_a_departments_short_name_charged_with_yao_is_a_unit():
    assert _items("会议明确，对困难企业，区财政要安排专项资金予以扶持。") == [(["区财政"], [], None)]
    assert _items("会议指出，县供销社要加快基层网点建设。") == [(["县供销社"], [], None)]


def test_the_units_above_are_those_named_as_owning_tasks_before():
    text = "由县人社局负责的第2件、县医保局负责的第6件、县商务局负责的第9件事项进度滞后，请以上责任单位加快推进。"
    assert _items(text) == [(["县人社局", "县医保局", "县商务局"], [], None)]


def test_a_unit_named_again_by_a_bare_kind_is_the_one_named_in_full_before():
    text = ("3月2日，市容督导组对东风路街道办事处进行督导检查，发现背街小巷垃圾堆放两处。"
            "随后，督导组向办事处下发整改通知单，责令限期整改。")
    assert _items(text) == [(["东风路街道办事处"], [], None)]


def test_a_unit_that_held_the_meeting_naming_itself_by_its_kind_is_kept_as_written():
    text = ("4月8日，东风路街道办事处召开拆违协调会，相关社区参加。"
            "会议要求，办事处要尽快启动拆违工作。")
    assert _items(text) == [(["办事处"], [], None)]


def test_long_term_in_the_name_of_a_thing_does_not_make_a_deadline_recurring():
    assert _items("县交通运输局负责的“确保中长期规划项目5月底前开工、11月底前完工”。") == [
        (["县交通运输局"], [], date(2026, 11, 30))]


def test_units_listed_and_closed_by_etc_then_the_work_are_charged():
    assert _items("其中，河口、桥头、城西街道、北关办事处等率先推进垃圾分类试点。") == [
        (["河口", "桥头", "城西街道", "北关办事处"], [], None)]
    assert _items("县住建局、县城管局等部门负责人参加会议。") == []


def test_a_level_and_a_short_name_that_builds_on_something_is_charged_with_what_follows():
    assert _items("区财政在上年投入的基础上，再安排200万元用于老旧小区改造。") == [(["区财政"], [], None)]


def test_the_rest_of_the_collectives_in_a_later_sentence_are_no_part_of_the_charge_before():
    text = ("甲镇、乙镇、城南办事处等继续深化河长制试点，确保河道常年清洁。其他乡镇在本月底前全面启动河道清淤，"
            "年底前完成验收。")
    assert _items(text) == [(["甲镇", "乙镇", "城南办事处"], [], None)]
    text = "县水利局要完成水毁工程修复，确保安全度汛。其他乡镇在10月底前全面启动河道清淤，年底前完成验收。"
    assert _items(text) == [(["县水利局"], [], None)]


def test_parties_a_decision_encourages_to_take_part_are_no_units():
    assert _items("县农业农村局要加大补助力度，同时鼓励种粮大户和家庭农场参与高标准农田建设。") == [
        (["县农业农村局"], [], None)]


def test_short_names_heading_an_item_stand_for_the_parties_named_in_full_before():
    text = ("后勤处组织保卫处、宏远保洁、惠民食堂、惠民浴室等单位负责人召开例会。\n"
            "1.食堂、浴室：延长周末开放时间。\n2.保洁：每日两次清运楼道垃圾。\n3.会议时间：每月一次。")
    assert _items(text) == [(["食堂", "浴室"], [], None), (["保洁"], [], None)]


def test_units_that_each_do_their_part_by_their_duties_are_all_leads_whatever_the_verb():
    assert _items("县林业局、县应急管理局按职责分工抓好森林防火。") == [(["县林业局", "县应急管理局"], [], None)]


def test_a_unit_named_the_body_that_carries_the_work_out_leads_it():
    assert _items("会议明确区文旅集团为项目建设主体，10月底前开工。") == [(["区文旅集团"], [], date(2026, 10, 31))]


def test_work_handed_to_a_unit_with_a_bare_jiao_is_charged_to_it():
    assert _items("会议同意交区民政局调查处理。") == [(["区民政局"], [], None)]


def test_what_a_unit_takes_on_or_grants_charges_it():
    assert _items("会议议定：区城投公司承担管网改造融资，区财政局予以贴息。") == [
        (["区城投公司"], [], None), (["区财政局"], [], None)]


def test_by_when_written_after_the_units_then_any_work():
    assert _items("县应急管理局、县消防救援大队于11月20日前联合开展高层建筑消防检查。") == [
        (["县应急管理局", "县消防救援大队"], [], date(2026, 11, 20))]
    assert _items("区水务局将于8月底前完成雨污分流改造。") == [(["区水务局"], [], date(2026, 8, 31))]


def test_a_unit_that_is_to_strengthen_or_improve_something_is_charged():
    assert _items("区城管局抓好门前三包，区交警大队加强违停治理。") == [
        (["区城管局"], [], None), (["区交警大队"], [], None)]


def test_a_banjie_time_limit_field_is_the_deadline():
    assert _items("一、背街小巷路灯修复\n承办单位：区住建局\n办结时限：7月15日") == [
        (["区住建局"], [], date(2026, 7, 15))]


def test_an_unnumbered_heading_with_a_colon_that_names_a_unit_charges_the_items_under_it():
    text = "区教育局（2项）：\n1.完成校舍抗震加固。\n2.抓好课后服务。\n区卫健局：\n1.推进家庭医生签约。"
    assert _items(text) == [(["区教育局"], [], None), (["区教育局"], [], None), (["区卫健局"], [], None)]


def test_a_demand_made_of_a_unit_charges_it_with_each_numbered_item():
    text = "督查组对区市场监管局提出两点要求：\n1.加大农贸市场抽检频次。\n2.规范投诉处理台账。"
    assert _items(text) == [(["区市场监管局"], [], None), (["区市场监管局"], [], None)]


def test_numbered_requirements_after_a_lead_in_charge_the_unit_the_visit_was_held_at():
    text = "9月2日，副区长王强到区水务局调研。王强要求：\n1.要加快排涝泵站建设。\n2.要做好汛后水毁修复。"
    assert _items(text) == [(["区水务局"], [], None), (["区水务局"], [], None)]
    assert _items("会议要求：\n1.要加快排涝泵站建设。\n2.要做好汛后水毁修复。") == []
