"""The parser on the three real plans in shared/plans."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tasks.importers import PlanParseError, parse_plan_file

PLANS = Path(__file__).resolve().parents[4] / "shared" / "plans"
if not PLANS.exists():  # the repository's CI clone has shared/ beside it
    PLANS = Path("/work/shared/plans")

pytestmark = pytest.mark.skipif(not PLANS.exists(), reason="shared/plans not available")


@pytest.fixture(scope="module")
def haining():
    return parse_plan_file(PLANS / "haining-2023-2027.txt")


@pytest.fixture(scope="module")
def yuecheng():
    return parse_plan_file(PLANS / "yuecheng-2023-2027.txt")


def _task(plan, number):
    return next(t for t in plan.key_tasks if t.number == number)


def _warned(plan, code, text=""):
    return [w for w in plan.warnings if w.code == code and text in w.message]


# -- 海宁 ----------------------------------------------------------------------------------


def test_haining_metadata(haining):
    assert haining.title == "海宁市推进“住有宜居”打造“安居潮城”品牌实施方案(2023—2027年)"
    assert haining.issuer == "海宁市城乡住房工作协调委员会办公室"
    assert haining.region == "海宁市"
    assert (haining.first_year, haining.last_year) == (2023, 2027)


def test_haining_has_13_key_tasks_in_sections(haining):
    assert [t.number for t in haining.key_tasks] == list(range(1, 14))
    assert _task(haining, 1).section == "(一)加快完善住房保障体系"
    assert _task(haining, 1).title == "扩大保障性租赁住房供给"
    assert _task(haining, 4).section == "(二)持续提升住房居住品质"
    assert _task(haining, 13).section == "(四)不断完善住房市场体系"
    assert _task(haining, 1).line == 38


def test_haining_task_1_lead_and_supporting_units_in_order(haining):
    t1 = _task(haining, 1)
    assert t1.lead_units == ["市住建局"]
    assert t1.supporting_units == [
        "市发改局", "市经信局", "市财政局", "市资规局", "市市场监管局", "市税务局", "市人民银行",
        "市供电公司", "市城投集团", "新奥燃气公司", "市消防大队", "各镇(街道)",
    ]
    assert "(责任单位:" in t1.text


def test_haining_carry_forward_adds_towns_to_every_later_task(haining):
    for t in haining.key_tasks[1:]:
        assert t.supporting_units[-1] == "各镇(街道)", t.number
        assert t.supporting_units.count("各镇(街道)") == 1
    assert _task(haining, 2).supporting_units == [
        "市发改局", "市财政局", "市资规局", "市民政局", "各镇(街道)"]


def test_haining_task_13_lead_is_the_provident_fund_centre(haining):
    assert _task(haining, 13).lead_units == ["海宁公积金分中心"]
    assert _task(haining, 13).supporting_units[0] == "市住建局"


def test_haining_units_list_and_aliases(haining):
    listed = [u for u in haining.units if u.listed]
    assert len(listed) == 29
    assert listed[0].name == "市法院" and listed[0].kind == "court"
    by_name = {u.name: u for u in haining.units}
    assert "市资规局" in by_name["市自然资源和规划局"].aliases
    assert "市发改局" in by_name["市发展和改革局"].aliases
    assert "市卫健局" in by_name["市卫生健康局"].aliases
    assert "市文旅体局" in by_name["市文化广电旅游局"].aliases
    assert "市民宗局" in by_name["市委统战部(市民宗局)"].aliases
    assert "新奥燃气公司" in by_name["市新奥燃气公司"].aliases
    assert by_name["市新奥燃气公司"].kind == "enterprise"
    extra = {u.name: u for u in haining.units if not u.listed}
    assert set(extra) == {"市住建局", "市城投集团", "各镇(街道)"}
    assert extra["市城投集团"].kind == "enterprise"
    assert extra["各镇(街道)"].kind == "collective"


def test_haining_unlisted_and_doubtful_units_are_warned_with_lines(haining):
    (w,) = _warned(haining, "unit_not_in_list", "市城投集团")
    assert w.line == 38
    assert _warned(haining, "unit_not_in_list", "市住建局")
    (d,) = _warned(haining, "unit_doubtful_match", "市文旅体局")
    assert d.line == 42
    assert not _warned(haining, "unit_not_in_list", "各镇(街道)")


def test_haining_target_table(haining):
    inds = {i.number: i for i in haining.indicators}
    assert len(inds) == 15
    i1 = inds[1]
    assert (i1.domain, i1.name, i1.measure) == ("住房保障", "城镇住房保障受益覆盖率", "%")
    assert not i1.cumulative
    assert i1.baseline.text == "19.9" and i1.baseline_year == 2022
    assert sorted(i1.targets) == [2023, 2024, 2025, 2026, 2027]
    assert inds[2].name == "保障性租赁住房累计建设筹集套(间)数" and inds[2].measure == "万套"
    assert inds[2].cumulative and inds[2].domain == "住房保障"
    t4 = inds[4].targets
    assert (t4[2023].text, t4[2023].value, t4[2023].comparator) == ("1.48", Decimal("1.48"), "eq")
    assert (t4[2024].text, t4[2024].value, t4[2024].comparator) == (">1.48", Decimal("1.48"), "gt")
    assert (inds[6].baseline.text, inds[6].baseline.value) == ("79%", Decimal("79"))
    assert inds[6].domain == "住房品质" and inds[6].targets[2027].value == Decimal("96")
    assert (inds[10].baseline.text, inds[10].baseline.value, inds[10].baseline.comparator) == ("/", None, "")
    assert inds[12].domain == "住房安全"  # "住房 安全" in the table
    assert inds[14].measure == "平方米" and inds[14].targets[2027].value == Decimal("49")
    assert inds[15].domain == "住房市场"


def test_haining_prose_target_is_the_final_years_target(haining):
    i11 = next(i for i in haining.indicators if i.number == 11)
    assert i11.baseline is None
    assert list(i11.targets) == [2027]
    assert i11.targets[2027].text == "至2027年至少创建1个浙派民居特色村。"
    assert (i11.targets[2027].value, i11.targets[2027].comparator) == (None, "")


def test_haining_stops_before_safeguards_and_has_no_work_list(haining):
    assert not any("加强统筹协调" in t.title for t in haining.key_tasks)
    assert haining.work_items == []
    assert not _warned(haining, "task_without_units")


# -- 越城区 --------------------------------------------------------------------------------


def test_yuecheng_metadata(yuecheng):
    assert yuecheng.title == "越城区公共服务“七优享”工程“住有宜居”专项实施方案（2023—2027年）"
    assert yuecheng.issuer == "越城区公共服务“七优享”工程工作专班办公室"
    assert yuecheng.region == "越城区"
    assert (yuecheng.first_year, yuecheng.last_year) == (2023, 2027)


def test_yuecheng_key_tasks_and_units(yuecheng):
    assert [t.number for t in yuecheng.key_tasks] == list(range(1, 12))
    t1 = _task(yuecheng, 1)
    assert t1.section == "（一）加快完善住房保障体系"
    assert t1.lead_units == ["区建设局"]
    assert t1.supporting_units[-1] == "越城供电分局"
    assert not any("列第一位" in u or "下同" in u for u in t1.supporting_units)
    t4 = _task(yuecheng, 4)
    assert t4.title == "实施老旧小区改造"
    assert t4.supporting_units[-2:] == ["各镇街", "各平台公司"]
    assert _task(yuecheng, 3).lead_units == ["区房征办"] and _task(yuecheng, 3).supporting_units == []
    assert _task(yuecheng, 10).supporting_units == [
        "区自然资源和规划分局", "区经信局", "区税务局", "区法院", "各镇街"]


def test_yuecheng_text_broken_across_lines_is_joined(yuecheng):
    assert "提升面向社会公众出租房源比例" in _task(yuecheng, 1).text
    assert "三方协同共治机制，全面提升" in _task(yuecheng, 7).text
    assert "发现危房1个月内完成安全鉴定" in _task(yuecheng, 9).text
    assert "信用体系建设。（责任单位" in _task(yuecheng, 11).text
    assert "\n" not in _task(yuecheng, 1).text


def test_yuecheng_units_list(yuecheng):
    assert len(yuecheng.units) == 25
    kinds = {u.name: u.kind for u in yuecheng.units}
    assert kinds["各镇街"] == kinds["各平台公司"] == "collective"
    assert kinds["区法院"] == "court"
    assert not _warned(yuecheng, "unit_not_in_list")


def test_yuecheng_target_table_two_pages_no_baseline(yuecheng):
    inds = {i.number: i for i in yuecheng.indicators}
    assert sorted(inds) == list(range(1, 15))
    for i in inds.values():
        assert i.baseline is None
        assert sorted(i.targets) == [2023, 2024, 2025, 2026, 2027]
    assert inds[2].measure == "万套(间)" and inds[2].name == "保障性租赁住房累计建设筹集套数"
    assert inds[2].targets[2023].value == Decimal("1.4475")
    t = inds[4].targets[2026]
    assert (t.text, t.value, t.comparator) == ("大于220", Decimal("220"), "gt")
    assert inds[4].domain == "住房品质" and inds[11].domain == "住房安全" and inds[14].domain == "住房市场"
    assert inds[14].measure == "平方米"


YUECHENG_ITEMS = [
    # (indicator, deadline text, date, key task)
    ("保障性租赁住房建设筹集套（间）数", "6月底前", date(2023, 6, 30), 1),
    ("保障性租赁住房建设筹集套（间）数", "12月底前", date(2023, 12, 31), 1),
    ("公租房在保家庭（万户）", "12月底前", date(2023, 12, 31), 2),
    ("公租房在保家庭（万户）", "12月底前", date(2023, 12, 31), 2),
    ("公租房在保家庭（万户）", "12月底前", date(2023, 12, 31), 2),
    ("老旧小区改造开工数（个）", "12月底前", date(2023, 12, 31), 4),
    ("老旧小区改造开工数（个）", "12月底前", date(2023, 12, 31), 4),
    ("老旧小区改造开工数（个）", "12月底前", date(2023, 12, 31), 4),
    ("住宅小区专业物业服务覆盖率（%）", "6月底前", date(2023, 6, 30), 7),
    ("住宅小区专业物业服务覆盖率（%）", "12月底前", date(2023, 12, 31), 7),
    ("创建未来社区数（个）", "11月底前", date(2023, 11, 30), 5),
    ("创建未来社区数（个）", "9月底前", date(2023, 9, 30), 5),
    ("既有住宅加装电梯（台）", "12月底前", date(2023, 12, 31), 8),
    ("既有住宅加装电梯（台）", "12月底前", date(2023, 12, 31), 8),
    ("创县级及以上优质工程（个）", "4月底前", date(2023, 4, 30), 6),
    ("创县级及以上优质工程（个）", "4月中旬", date(2023, 4, 20), 6),
    ("创县级及以上优质工程（个）", "12月底前", date(2023, 12, 31), 6),
    ("新开工装配式建筑占新建建筑比例（%）", "12月底前", date(2023, 12, 31), 6),
    ("城镇危房实质性解危（处）", "12月底前", date(2023, 12, 31), 9),
    ("农村危房整治率（%）", "11月底前", date(2023, 11, 30), 9),
    ("农村危房整治率（%）", "12月底前", date(2023, 12, 31), 9),
    ("农村困难家庭危房改造救助率（%）", "9月底前", date(2023, 9, 30), 9),
    ("农村困难家庭危房改造救助率（%）", "9月底前", date(2023, 9, 30), 9),
    ("城镇人均住房建筑面积（平方米）", "12月底前", date(2023, 12, 31), 10),
    ("城镇人均住房建筑面积（平方米）", "12月底前", date(2023, 12, 31), 10),
]


def test_yuecheng_work_list_items_deadlines_and_links(yuecheng):
    got = [(w.indicator, w.deadline_text, w.deadline, w.key_task) for w in yuecheng.work_items]
    assert got == YUECHENG_ITEMS
    assert all(w.year == 2023 and not w.recurring for w in yuecheng.work_items)
    assert all(w.lead_units == ["区建设局"] for w in yuecheng.work_items)


def test_yuecheng_work_items_keep_text_target_and_line(yuecheng):
    first = yuecheng.work_items[0]
    assert first.text == "做好今年保障性租赁住房筹建项目认定。"
    assert first.target_text == "1.44" and first.line == 114
    second = yuecheng.work_items[1]
    assert second.target_text == "1.44" and second.line == 115
    assert yuecheng.work_items[-1].target_text == "38"


def test_yuecheng_weak_link_is_warned(yuecheng):
    (w,) = _warned(yuecheng, "doubtful_link")
    assert "优质工程" in w.message and w.line == 128


def test_yuecheng_as_json_shape(yuecheng):
    j = yuecheng.as_json()
    assert j["period"] == [2023, 2027]
    assert len(j["key_tasks"]) == 11 and len(j["work_items"]) == 25 and len(j["indicators"]) == 14
    assert j["work_items"][15]["deadline"] == "2023-04-20"


# -- 青岛 ----------------------------------------------------------------------------------


def test_qingdao_development_plan_is_refused_with_a_clear_message():
    with pytest.raises(PlanParseError) as exc:
        parse_plan_file(PLANS / "qingdao-13th-fyp-housing.txt")
    message = str(exc.value)
    assert "qingdao-13th-fyp-housing.txt" in message
    assert "未找到带责任单位的重点任务" in message and "no key tasks with responsible units" in message


def _as_docx(src: Path, dst: Path) -> Path:
    """The plan as a Word document: prose as paragraphs, each run of table lines as a table."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    rows: list[list[str]] = []

    def flush():
        if not rows:
            return
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                table.cell(r, c).text = text
        rows.clear()

    for line in src.read_text(encoding="utf-8").splitlines():
        if "\t" in line or line.count("|") >= 2:
            sep = "\t" if "\t" in line else "|"
            rows.append([c.strip() for c in line.split(sep)])
            continue
        if not line.strip():
            continue
        flush()
        document.add_paragraph(line)
    flush()
    document.save(str(dst))
    return dst


@pytest.mark.parametrize("name", ["haining-2023-2027", "yuecheng-2023-2027"])
def test_real_plan_as_docx_parses_like_the_text(tmp_path, name):
    from_text = parse_plan_file(PLANS / f"{name}.txt").as_json()
    from_docx = parse_plan_file(_as_docx(PLANS / f"{name}.txt", tmp_path / f"{name}.docx")).as_json()
    for key in ("title", "issuer", "region", "period", "units", "key_tasks", "indicators", "work_items"):
        assert from_docx[key] == from_text[key], key
    assert [w["code"] for w in from_docx["warnings"]] == [w["code"] for w in from_text["warnings"]]
