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
    text = ("1. 县第一人民医院\n（1）候诊区垃圾未及时清运；\n（2）停车场车辆乱停。\n问题整改责任单位：县卫健局 整改时限：3天\n"
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
