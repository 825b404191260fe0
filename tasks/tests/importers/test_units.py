"""Splitting responsibility lists into units, unit kinds, and short names matched to the list."""

import pytest

from tasks.importers import Warning_, split_units
from tasks.importers.units import UnitRegistry, unit_kind


def names(text, known=None):
    return split_units(text, known=known).names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市住建局、市发改局、市经信局", ["市住建局", "市发改局", "市经信局"]),
        ("区税务局，区法院，各镇街", ["区税务局", "区法院", "各镇街"]),
        ("区税务局,区法院;各镇街；各平台公司", ["区税务局", "区法院", "各镇街", "各平台公司"]),
        ("市住建局、市发改局等", ["市住建局", "市发改局"]),
        ("市住建局、市发改局等有关单位", ["市住建局", "市发改局"]),
        ("市委统战部(市民宗局)、各镇(街道)", ["市委统战部(市民宗局)", "各镇(街道)"]),
        ("市委统战部（市民宗局）、经济开发区(高新区)", ["市委统战部（市民宗局）", "经济开发区(高新区)"]),
        ("各县(市、区)、市财政局", ["各县(市、区)", "市财政局"]),
        ("区住建局区财政局", ["区住建局", "区财政局"]),
        ("市 住建局、 市发改局", ["市住建局", "市发改局"]),
        # session 17 (xuhui_swgh_2006, pingdingshan_hzz_2018, guangdong_wjw_zwgk_2021 of tables_tune)
        ("13个街道、镇", ["13个街道、镇"]),
        ("人口计生委等相关部门,13个街道、镇", ["人口计生委", "13个街道、镇"]),
        ("各县(市、区)党委和人民政府、高新区党工委和管委会", ["各县(市、区)党委和人民政府", "高新区党工委和管委会"]),
        ("市住建局及各县区政府", ["市住建局", "各县区政府"]),
        ("应急处、疾控处、基层处等按职责分工落实", ["应急处", "疾控处", "基层处"]),
        ("宣传处会办公室", ["宣传处", "办公室"]),
        ("市委员会办公室", ["市委员会办公室"]),
    ],
)
def test_split_units(text, expected):
    assert names(text) == expected


def test_split_units_drops_notes_after_the_list():
    result = split_units("区建设局、越城供电分局，列第一位的为牵头单位，下同")
    assert result.names == ["区建设局", "越城供电分局"]
    assert result.notes == ["列第一位的为牵头单位", "下同"]


def test_split_units_reads_the_carry_forward_note():
    result = split_units("市住建局、各镇(街道)。列第一位的为牵头单位,下同;以下均需镇(街道)落实,不再列出")
    assert result.names == ["市住建局", "各镇(街道)"]
    assert result.carry_forward == ["各镇(街道)"]


def test_split_units_roles_from_words_after_names():
    result = split_units("区建设局牵头,区发改局、区财政局按职责分工负责")
    assert result.names == ["区建设局", "区发改局", "区财政局"]
    assert result.roles == ["lead", "support", "support"]
    result = split_units("区发改局、区建设局(牵头)")
    assert result.roles == ["", "lead"]


def test_run_together_split_of_known_names_is_silent_and_of_guessed_ones_doubtful():
    known = {"区住建局", "区财政局"}
    assert split_units("区住建局区财政局", known=known).doubtful == []
    assert split_units("区住建局区财政局").doubtful  # guessed from the endings: warned
    # a listed name with a 局 inside stays whole
    assert names("嘉兴银保监分局海宁监管组") == ["嘉兴银保监分局海宁监管组"]
    assert names("市委统战部") == ["市委统战部"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("市住建局", "department"),
        ("各镇(街道)", "collective"),
        ("各镇街", "collective"),
        ("各平台公司", "collective"),
        ("各乡镇(街道)", "collective"),
        ("许村镇", "town"),
        ("海洲街道", "town"),
        ("市城投集团", "enterprise"),
        ("市新奥燃气公司", "enterprise"),
        ("区法院", "court"),
        ("市人民银行", "department"),
        ("某某", "other"),
    ],
)
def test_unit_kind(name, kind):
    assert unit_kind(name) == kind


def _registry(*listed):
    reg = UnitRegistry()
    for n in listed:
        reg.add_listed(n, 1)
    return reg


def test_registry_matches_short_names_to_the_listed_full_name():
    reg = _registry(
        "市自然资源和规划局", "市发展和改革局", "市卫生健康局", "市委统战部(市民宗局)", "市新奥燃气公司")
    warnings: list[Warning_] = []
    for short, full in [("市资规局", "市自然资源和规划局"), ("市发改局", "市发展和改革局"),
                        ("市卫健局", "市卫生健康局"), ("市民宗局", "市委统战部(市民宗局)"),
                        ("市委统战部（市民宗局）", "市委统战部(市民宗局)"),
                        ("新奥燃气公司", "市新奥燃气公司")]:
        assert reg.resolve(short, 5, warnings).name == full
    assert warnings == []
    assert "市资规局" in reg.units[0].aliases


def test_registry_doubtful_abbreviation_is_accepted_with_a_warning():
    reg = _registry("市文化广电旅游局")
    warnings: list[Warning_] = []
    assert reg.resolve("市文旅体局", 42, warnings).name == "市文化广电旅游局"
    assert [(w.code, w.line) for w in warnings] == [("unit_doubtful_match", 42)]


def test_registry_unlisted_unit_is_kept_with_a_warning_once():
    reg = _registry("市财政局")
    warnings: list[Warning_] = []
    unit = reg.resolve("市城投集团", 38, warnings)
    reg.resolve("市城投集团", 40, warnings)
    assert unit.kind == "enterprise" and not unit.listed
    assert [(w.code, w.line) for w in warnings] == [("unit_not_in_list", 38)]
    assert reg.resolve("市住建局", 3, warnings).name == "市住建局"  # no false abbreviation match
