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
