"""Table layouts of the session-17 tuning documents (tables_tune: xuhui_swgh_2006, guangzhou_zdgz_2023,
chizhou_xfj_zwgk, zongyang_gzbg_2023h1, guangdong_wjw_zwgk_2021, jiangmen_tdcb_zwgk), cut down to a few
rows each: a header repeated mid-table, label | value records, a "|" after every cell, rows short of a
merged cell."""

from tasks.importers import parse_plan_text
from tasks.importers.tables import _role


def _tasks(text):
    plan = parse_plan_text(text, source="t.txt")
    return [(k.lead_units, k.supporting_units) for k in plan.key_tasks], plan


def test_header_repeated_mid_table_one_cell_per_line_is_not_a_row():
    header = "序号\n\n项目\n\n类别\n\n具 体 内 容\n\n牵头\n\n部门\n\n相关责任部门\n\n完成\n\n时间\n\n"
    text = ("工作分解\n\n" + header + "108\n\n继续全面推进素质教育\n\n教育局\n\n13个街道、镇\n\n2010年\n\n"
            "109\n\n加强0- 3岁婴幼儿教育\n\n教育局\n\n人口计生委等相关部门,13个街道、镇\n\n2010年\n\n"
            + header + "110\n\n构建疾病预防控制二级网络\n\n卫生局\n\n13个街道、镇\n\n2010年\n")
    tasks, plan = _tasks(text)
    assert tasks == [(["教育局"], ["13个街道、镇"]), (["教育局"], ["人口计生委", "13个街道、镇"]),
                     (["卫生局"], ["13个街道、镇"])]
    assert plan.key_tasks[2].title.startswith("构建疾病预防控制")


def test_header_repeated_mid_pipe_table_is_not_a_row():
    text = ("分工表\n序号 | 重点任务 | 牵头单位 | 配合单位\n1 | 推进老旧小区改造 | 市住建局 | 市财政局\n"
            "序号 | 重点任务 | 牵头单位 | 配合单位\n2 | 加强物业管理 | 市住建局 | 各区政府\n")
    tasks, plan = _tasks(text)
    assert tasks == [(["市住建局"], ["市财政局"]), (["市住建局"], ["各区政府"])]


def test_record_table_keeps_extra_named_fields_in_the_record():
    text = ("重点工作: | 135.统筹违法建设治理与城市更新,促进违法建设科学分类治理。 |\n"
            "牵头单位: | 市城市管理综合执法局 |\n"
            "年度阶段性工作目标: | 第一季度:印发工作方案。完成工作任务20%以上。 第二季度:完成工作任务的50%以上。 |\n"
            "进展情况、存在问题 及下一步工作建议: |\n已完成。 |\n")
    tasks, plan = _tasks(text)
    assert tasks == [(["市城市管理综合执法局"], [])]


def test_bar_after_every_cell_rows_by_number_and_merged_group_cell():
    cells = ["工作任务", "具体要求", "责任科室", "时限要求",
             "强化行政规范性文件集中规范公开", "1", "对行政规范性文件进行全面清理。", "办公室", "年底前",
             "做好主动公开基础工作", "2", "严格规范政府信息公开专栏。", "各科室", "持续推进",
             "3", "规范做好政府信息公开工作年度报告编制发布工作。", "办公室", "持续推进",
             "加强宣传", "4", "积极参加约稿活动。", "各科室", "持续推进"]
    tasks, plan = _tasks("\n|\n".join(cells) + "\n|\n")
    assert tasks == [(["办公室"], []), (["各科室"], []), (["办公室"], []), (["各科室"], [])]
    assert "规范做好政府信息公开工作年度报告" in plan.key_tasks[2].text


def test_bar_after_every_cell_units_one_a_line_are_all_leads():
    cells = ["序号", "主要工作目标", "目标任务主要内容", "牵头责任单位", "上半年落实情况",
             "14", "聚力推动制造业提质扩量增效", "做大做优电子信息、绿色食品等成长型产业。",
             "县发展改革委\n县经济和信息化局", "拜访苏州亚平电子有限公司。",
             "80", "建设宜居韧性智慧之城", "创成国家园林城市。", "县文明办\n县卫生健康委", "制定实施方案。"]
    tasks, plan = _tasks("\n|\n".join(cells) + "\n|\n")
    assert tasks == [(["县发展改革委", "县经济和信息化局"], []), (["县文明办", "县卫生健康委"], [])]
    assert "做大做优电子信息" in plan.key_tasks[0].text


def test_short_rows_of_a_table_with_two_text_columns():
    text = ("台账\n序号 | 工作任务 | 细化分工 | 责任处室 | 完成时限 | 备注 |\n"
            "1 | 做好常态化疫情防控信息发布 | 围绕散发疫情发布权威信息 | "
            "应急处、监督处、疾控处等按职责分工落实 | 长期推进 |\n"
            "2 | 扎实做好疫苗接种信息公开和舆论引导工作 | 疾控处 | 长期推进 |\n"
            "3 | 提高疫情信息发布规范化水平 | 宣传处会办公室 | 2021年8月前 |\n")
    tasks, _plan = _tasks(text)
    assert tasks == [(["应急处"], ["监督处", "疾控处"]), (["疾控处"], []), (["宣传处"], ["办公室"])]


def test_rows_under_a_merged_group_cell_numbered_in_their_text_are_tasks():
    text = ("工作任务 | 具体要求 | 责任部门 |\n"
            "一、做好网站信息公开。 | 1.及时更新网站频道的各类型概况信息。 | 办公室 |\n"
            "2.及时反馈网民对调查征集信息的意见。 | 各科室 | |\n"
            "3.及时更新微信公众号信息。 | 办公室牵头,各科室配合 | |\n")
    tasks, _plan = _tasks(text)
    assert tasks == [(["办公室"], []), (["各科室"], []), (["办公室"], ["各科室"])]


def test_scoring_department_column_is_not_a_unit_column():
    assert _role("评分部门")[0] == "other"
    assert _role("考核单位")[0] == "other"
    assert _role("目标任务主要内容")[0] == "task"
    assert _role("具体要求")[0] == "task"


def test_group_cell_before_the_first_number_is_a_section_not_a_column():
    # shengsi_xczx_2021: 考核项目 merged down before 序号, its value "农业高质高效" between header and row 1
    cells = ["考核项目", "序号", "考核指标", "考核内容", "单位", "年度目标", "责任部门", "评分部门",
             "农业高质高效", "1", "确保粮食和重要农产品有效供给", "粮食安全责任制", "-", "良好以上",
             "县经济和信息化局", "市商务局",
             "2", "粮食播种面积", "万亩", "0.07", "县农业农村局", "市农业农村局"]
    tasks, plan = _tasks("乡村振兴任务清单\n\n" + "\n\n".join(cells) + "\n")
    assert [k.section for k in plan.key_tasks] == ["农业高质高效", "农业高质高效"]
    assert tasks[1] == (["县农业农村局"], [])
