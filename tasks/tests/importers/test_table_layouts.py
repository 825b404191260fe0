"""Table layouts offices publish (issue 33): columns read by what they hold, the lead marked inside one
cell, person columns, traditional characters, and tables flattened one cell per line between separators."""

from tasks.importers import parse_plan_text

TITLE = "某市2024年住房工作重点任务分工表"


def _tasks(rows, title=TITLE):
    text = title + "\n" + "\n".join("\t".join(r) for r in rows)
    plan = parse_plan_text(text, source="t.txt")
    return [(t.lead_units, t.supporting_units, t.leaders, t.deadline_text) for t in plan.key_tasks]


def test_a_star_or_lead_note_inside_one_cell_marks_the_lead():
    assert _tasks([["序号", "重点任务", "责任单位", "完成时限"],
                   ["1", "推进老旧小区改造", "市住建局★、市财政局、市发改委", "2024年底前"],
                   ["2", "发展保障性租赁住房", "市财政局、★市自然资源局", "持续推进"],
                   ["3", "完善公积金制度", "市财政局、市公积金中心（牵头）", "年底前"]]) == [
        (["市住建局"], ["市财政局", "市发改委"], [], "2024年底前"),
        (["市自然资源局"], ["市财政局"], [], "持续推进"),
        (["市公积金中心"], ["市财政局"], [], "年底前")]


def test_lead_column_after_the_units_and_repeated_among_them():
    assert _tasks([["序号", "工作任务", "责任单位", "牵头单位", "时限要求"],
                   ["1", "推进老旧小区改造", "市住建局、市财政局、市发改委", "市住建局", "年底前"]]) == [
        (["市住建局"], ["市财政局", "市发改委"], [], "年底前")]


def test_columns_without_known_headers_are_read_from_their_cells_and_persons_are_no_units():
    assert _tasks([["序号", "重点任务", "领导", "单位", "时间"],
                   ["1", "推进老旧小区改造，完成改造任务", "张三", "市住建局、市财政局", "年底前"],
                   ["2", "发展保障性租赁住房，筹集房源", "李四副市长", "市自然资源局", "持续推进"]]) == [
        (["市住建局"], ["市财政局"], ["张三"], "年底前"),
        (["市自然资源局"], [], ["李四副市长"], "持续推进")]


def test_a_unit_header_over_persons_is_a_leader_column():
    assert _tasks([["序号", "重点任务", "牵头单位", "责任单位"],
                   ["1", "推进老旧小区改造", "张三", "市住建局、市财政局"],
                   ["2", "发展保障性租赁住房", "李四", "市自然资源局"]]) == [
        (["市住建局"], ["市财政局"], ["张三"], ""), (["市自然资源局"], [], ["李四"], "")]


def test_traditional_characters_in_the_header_and_unit_names():
    assert _tasks([["序號", "工作任務", "牽頭單位", "配合單位"],
                   ["1", "全面實施行政許可事項清單管理", "市政府辦公室", "市級各有關部門"]]) == [
        (["市政府辦公室"], ["市級各有關部門"], [], "")]


def test_one_cell_per_line_between_bar_lines():
    lines = ["|", "序号", "|", "工作任务", "|", "负责部门", "|", "时间进度", "|", "|",
             "1", "|", "完善城市管理体制", "|", "市委编办、市住建局", "|", "2016年底前", "|", "|",
             "2", "|", "完善城市工作机制", "|", "市住建局", "|", "常态工作", "|", "|"]
    plan = parse_plan_text(TITLE + "\n" + "\n".join(lines), source="t.txt")
    assert [(t.lead_units, t.supporting_units) for t in plan.key_tasks] == [
        (["市委编办"], ["市住建局"]), (["市住建局"], [])]


def test_rows_between_rule_lines_one_cell_per_line():
    lines = ["====================", "一、开展行政审批提速行动", "====================", "(一)",
             "持续加大简政放权力度。严格落实取消下放行政审批事项的要求。", "市行政审批局、市住建局",
             "====================", "(二)", "推进证照分离改革。", "市市场监管局、市司法局", "===================="]
    plan = parse_plan_text("优化营商环境任务分工\n" + "\n".join(lines), source="t.txt")
    assert [(t.lead_units, t.supporting_units) for t in plan.key_tasks] == [
        (["市行政审批局"], ["市住建局"]), (["市市场监管局"], ["市司法局"])]


def test_unit_names_wrapped_in_a_narrow_column_of_an_aligned_table():
    text = "\n".join([
        "某区2023年重点工作任务分解和责任分工方案",
        "",
        "序号   工作任务                              牵头单位    责任单位",
        "1      努力实现地区生产总值增长6.2%左右      区发改局    某某经济开",
        "                                                         发区,全区经",
        "                                                         济运行各专班",
        "2      规模上工业增加值增长5%左右            区工信局    某某经济开",
        "                                                         发区",
    ])
    plan = parse_plan_text(text, source="t.txt")
    assert [(t.lead_units, t.supporting_units) for t in plan.key_tasks] == [
        (["区发改局"], ["某某经济开发区", "全区经济运行各专班"]), (["区工信局"], ["某某经济开发区"])]


def test_rows_under_a_merged_number_and_unit_cell_continue_the_task_above():
    text = "\n".join([
        "2022年区政府民生实事项目进展情况表",
        "序号 | 项目内容 | 进展情况 | 责任单位 |",
        "1 | 实施农村公路大中修100公里。 | 完成50公里。 | 交通运输局 |",
        "新增公交线路3条。 | 新增599B、855H等4条公交线路。 | ||",
        "优化调整公交线路20条。 | 优化调整公交线路25条。 | ||",
        "2 | 新建成保障性住房1700套。 | 新建成1721套。 | 住建局 |",
    ])
    plan = parse_plan_text(text, source="t.txt")
    assert [(t.lead_units, t.supporting_units) for t in plan.key_tasks] == [(["交通运输局"], []), (["住建局"], [])]
    assert "优化调整公交线路20条" in plan.key_tasks[0].text


def test_rows_between_dash_rules_and_numbers_written_as_cn_paren():
    lines = ["2020年重点工作任务分解", "-" * 30, "序号", "工作任务", "责任单位", "-" * 30,
             "1", "坚持总体防控策略，完善常态化疫情防控举措。", "市疫情防控指挥部办公室、市卫生健康委", "-" * 30,
             "2", "坚持必要的人员管控和健康监测措施。", "市卫生健康委、市公安局", "-" * 30]
    plan = parse_plan_text("\n".join(lines), source="t.txt")
    assert [(t.lead_units, t.supporting_units) for t in plan.key_tasks] == [
        (["市疫情防控指挥部办公室"], ["市卫生健康委"]), (["市卫生健康委"], ["市公安局"])]


def test_a_number_written_cn_paren_keeps_a_short_row_in_its_columns():
    text = "\n".join([
        "某省现代流通体系建设实施方案重点任务分工",
        "序号 | 重点任务 | 责任单位 | 备注",
        "(一) | 加强市场体系建设。推进高标准市场体系建设。 | 省发展改革委、省市场监管局 | 按职责分工负责",
        "(二) | 优化市场准入环境。实施改革全覆盖。 | 省市场监管局 |",
    ])
    plan = parse_plan_text(text, source="t.txt")
    assert [(t.lead_units, t.supporting_units) for t in plan.key_tasks] == [
        (["省发展改革委"], ["省市场监管局"]), (["省市场监管局"], [])]


def test_the_layout_forms_first_guess_comes_from_the_header_and_the_cells():
    from tasks.importers.document import Grid
    from tasks.importers.tables import guess_layout

    grid = Grid(line=2, width=4, rows=[
        (2, ["填报单位：县住建局", "", "", ""]),
        (3, ["序号", "重点任务", "经办", "啥时候"]),
        (4, ["1", "推进老旧小区改造，完成30个小区", "县住建局、县财政局", "年底前"]),
        (5, ["2", "新建公共停车泊位500个", "县交通局", "9月底前"]),
    ])
    assert guess_layout(grid) == (3, ["num", "task", "resp", "deadline"])


def test_a_cells_lines_join_into_names_broken_by_a_narrow_column_and_stay_apart_otherwise():
    from tasks.importers.text import join_cell_lines

    assert join_cell_lines(["市", "监", "察", "局"]) == "市监察局"
    assert join_cell_lines(["市住建", "局"]) == "市住建局"
    assert join_cell_lines(["市住建局", "各镇"]) == "市住建局、各镇"
    assert join_cell_lines(["市住建局", "市财政局"]) == "市住建局、市财政局"
    assert join_cell_lines(["推进老旧小区改造，", "完成100个"]) == "推进老旧小区改造， 完成100个"


def test_cells_ending_in_bars_rows_short_of_an_empty_cell_and_a_header_worded_its_own_way():
    cells = ["序号", "主要任务", "全年目标任务", "分管 领导", "牵头 单位", "责任主体与协同单位", "推进情况", "说明",
             "24", "优化提升50条背街后巷交通组织。", "徐国江", "城管局", "市政局、相关街道", "完成60%。", "||",
             "25", "新建建筑垃圾中转站8个。", "徐国江", "城管局", "崇川经济开发区、相关街道", "已建成7个。", "|"]
    lines = [c if c in ("|", "||") else f"{c} |" for c in cells]
    plan = parse_plan_text("2023年区政府重点民生实事项目推进情况\n" + "\n".join(lines), source="t.txt")
    assert [(t.lead_units, t.supporting_units, t.leaders) for t in plan.key_tasks] == [
        (["城管局"], ["市政局", "相关街道"], ["徐国江"]), (["城管局"], ["崇川经济开发区", "相关街道"], ["徐国江"])]


# Session 17: forms of the new tuning documents (tables_tune/dazhu_msss_2016, xiangshan_szt_2024,
# nanling_gzbg_2024, yuhuan_zdgz_2021, wuhan_gzbg_2023, zibo_pztsh_2020, zhaohua_msgc_2017).

def _plan(text):
    plan = parse_plan_text(text, source="t.txt")
    return [(t.lead_units, t.supporting_units, t.leaders) for t in plan.key_tasks]


def _cell_lines(cells, blank=True):
    return ("\n\n" if blank else "\n").join(cells)


def test_cell_per_line_with_an_unknown_task_header_and_a_unit_cell_one_unit_a_line():
    text = TITLE + "\n\n" + _cell_lines([
        "序号", "民生实事", "责任单位", "完成时限",
        "1", "启动建设东柳河城区段综合治理工程。", "县水务局", "县住建局", "县护城河指挥部", "12月底前",
        "2", "新建2座人行天桥。", "县住建局", "9月投入使用",
        "3", "开工建设县老年养护楼。", "县民政局", "5月底前动工", "开工建设老年大学。", "12月底前"])
    assert _plan(text) == [
        (["县水务局"], ["县住建局", "县护城河指挥部"], []),
        (["县住建局"], [], []),
        (["县民政局"], [], [])]  # the continuation line (a task of its own under merged cells) adds no unit


def test_cell_per_line_header_names_broken_over_two_lines_and_a_person_column():
    text = TITLE + "\n\n" + _cell_lines([
        "序号", "重点工作", "责任", "领导", "责任", "科室", "攻坚目标", "任务", "完成情况",
        "1", "白仙山水库工程政策处理", "欧乾震", "白仙山水库工程政策处理工作领导小组", "完成政策处理工作。",
        "坟墓迁移进度达60%。",
        "2", "现代化美丽城镇", "吴宇凡", "乡村振兴办", "成功创建首批美丽城镇。", "完成投资3000万元。"])
    assert _plan(text) == [
        (["白仙山水库工程政策处理工作领导小组"], [], ["欧乾震"]),
        (["乡村振兴办"], [], ["吴宇凡"])]


def test_cells_ending_in_a_bar_without_lines_between_rows():
    text = TITLE + "\n" + "\n".join(c + " |" for c in [
        "序号", "目标与任务", "分 管 县领导", "牵头责任单位", "责任单位",
        "80", "加大普惠性托育供给,新增托位数400个以上。", "俞 悦", "县教育局", "县各有关单位",
        "81", "保障职业学院秋季开学,支持学校发展。", "陆 明俞 悦", "县教育局", "县各有关单位"])
    assert [(lead, sup) for lead, sup, _ in _plan(text)] == [
        (["县教育局"], ["县各有关单位"]), (["县教育局"], ["县各有关单位"])]


def test_cell_per_line_without_a_number_column_the_leader_first_and_merged_down():
    text = TITLE + "\n\n" + _cell_lines([
        "牵头领导", "重点工作", "牵头单位", "配合单位", "备注",
        "周阳市长", "1.始终做到忠诚于党。增强“四个意识”,坚决做到“两个维护”。", "市府办", "各单位",
        "2.始终坚持依法行政。自觉接受人大依法监督,加强审计监督。", "市府办", "市司法局", "市审计局", "各单位"])
    assert _plan(text) == [
        (["市府办"], ["各单位"], ["周阳市长"]),
        (["市府办"], ["市司法局", "市审计局", "各单位"], [])]


def test_lead_column_after_the_units_left_empty_is_not_taken_from_the_row_above():
    rows = ["| 序号 | 目标任务 | 责任单位 | 牵头单位 |", "| --- | --- | --- | --- |",
            "| 1 | 认真落实疫情防控措施,加强医疗救治能力建设。 | 市疫情防控指挥部办公室,市直各相关部门 "
            "| 市疫情防控指挥部办公室 |",
            "| 2 | 推进公立医院高质量发展,建设医疗综合楼。 | 市卫健委 | |",
            "| 3 | 谋划推进长江新区医疗综合体项目。 | 市卫健委,长江新区管委会 | 市卫健委 |"]
    assert _plan(TITLE + "\n" + "\n".join(rows)) == [
        (["市疫情防控指挥部办公室"], ["市直各相关部门"], []),
        (["市卫健委"], [], []),
        (["市卫健委"], ["长江新区管委会"], [])]


def test_pdf_columns_a_narrow_unit_name_wrapped_under_its_header():
    text = "\n".join([
        TITLE,
        "序号  工作任务                                              牵头单位      配合单位",
        "1     2020年编制完成国土空间总体规划,实现“多规合一”,构建     市自然资源",
        "      国土空间规划信息平台,建立规划实施监督体系。             局",
        "2     完成教育、医疗、养老、交通、排水等专项规划的编制工作。  市自然资源    相关部门",
        "                                                            局",
        "3     各区县城市主要片区、重要地段都要在完成城市设计后再进     市住房城乡",
        "      行开发建设。                                            建设局"])
    assert _plan(text) == [
        (["市自然资源局"], [], []),
        (["市自然资源局"], ["相关部门"], []),
        (["市住房城乡建设局"], [], [])]


def test_a_header_cell_spanning_several_cells_of_each_row():
    rows = ["| 项 目 | 目标 | 分 解 情 况 | 责任领导 | 责任单位 | 责任人 |",
            "| 就业促进工程 | 促进城乡劳动者就业创业 | 城镇新增就业人数(人) | 1300 | 元坝镇280 白果乡15 "
            "| 刘 强 | 区人社局 | 陈 宗 |"]
    plan = parse_plan_text(TITLE + "\n" + "\n".join(rows), source="t.txt")
    assert [(t.lead_units, t.supporting_units) for t in plan.key_tasks] == [(["区人社局"], [])]
    assert "促进城乡劳动者就业创业" in plan.key_tasks[0].title + plan.key_tasks[0].text


def test_pdf_text_with_every_column_run_together():
    # tables_tune/zhonglou_msss_2021: the text layer of a PDF table, no spaces between cells
    text = "\n".join([
        "2021年重大民生实事项目目标任务责任分解表",
        "序号项目名称主要内容区政府分管领导牵头单位配合单位",
        "1增加教育资源供给实施新建、改扩建学校重点建设项目12个。何海平教育局经开区",
        "高新园(邹区镇)",
        "各街道",
        "2优化养老服务为全区23000名老年人提供居家上门服务。张菁民政局高新园(邹区镇)",
        "各街道",
        "提升改造8家城乡社区居家养老服务中心(站)。",
        "3老城厢复兴发展完成瞿秋白纪念馆整体提升工程对外开放。何海平文体旅局晋陵公司",
        "推进大庙弄核心区改造及老城厢道路整治。芮春祥住建局五星街道",
        "南大街街道"])
    assert _plan(text) == [
        (["教育局"], ["经开区", "高新园(邹区镇)", "各街道"], ["何海平"]),
        (["民政局"], ["高新园(邹区镇)", "各街道"], ["张菁"]),
        (["文体旅局"], ["晋陵公司"], ["何海平"]),
        (["住建局"], ["五星街道", "南大街街道"], ["芮春祥"])]


def test_cell_per_line_a_unit_name_broken_a_character_a_line():
    text = TITLE + "\n\n" + _cell_lines([
        "序号", "重点任务", "责任单位", "完成时限",
        "1", "推进老旧小区改造工作。", "市", "监", "察", "局", "年底前",
        "2", "发展保障性租赁住房。", "市住建局", "持续推进"])
    assert _plan(text) == [(["市监察局"], [], []), (["市住建局"], [], [])]


def test_cell_per_line_numbers_written_with_a_dot():
    text = TITLE + "\n\n" + _cell_lines([
        "序号", "重点任务", "责任单位", "完成时限",
        "1.", "推进老旧小区改造工作。", "市住建局、市财政局", "年底前",
        "2.", "发展保障性租赁住房。", "市住建局", "持续推进"])
    assert _plan(text) == [(["市住建局"], ["市财政局"], []), (["市住建局"], [], [])]


def test_a_unit_name_wrapped_onto_the_next_line_of_a_text_table():
    text = TITLE + "\n" + "\n".join([
        "序号\t重点任务\t牵头单位\t配合单位",
        "1\t推进老旧小区改造,完成改造小区30个。\t市住建局\t市财政局、市发",
        "\t\t\t改委",
        "2\t发展保障性租赁住房。\t市自然资源局\t市住建局"])
    assert _plan(text) == [(["市住建局"], ["市财政局", "市发改委"], []), (["市自然资源局"], ["市住建局"], [])]


def test_same_as_above_in_every_unit_cell_takes_both_from_the_row_above():
    rows = ["| 序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限 |",
            "| 1 | 推进老旧小区改造,完成改造小区30个。 | 市住建局 | 市财政局 | 年底前 |",
            "| 2 | 发展保障性租赁住房,筹集房源。 | 同上 | 同上 | 持续推进 |"]
    assert _plan(TITLE + "\n" + "\n".join(rows)) == [
        (["市住建局"], ["市财政局"], []), (["市住建局"], ["市财政局"], [])]


def test_pdf_columns_without_a_number_column():
    text = "\n".join([
        TITLE,
        "重点任务                                牵头单位      配合单位          完成时限",
        "推进老旧小区改造,完成改造小区30个。     市住建局      市财政局、市发    年底前",
        "                                                      改委",
        "发展保障性租赁住房,筹集房源1000套。     市自然资源    市住建局          持续推进",
        "                                        局"])
    assert _plan(text) == [(["市住建局"], ["市财政局", "市发改委"], []), (["市自然资源局"], ["市住建局"], [])]
