"""bench/decisions_score.py scores what it claims to, and the issue-34 corpus of labelled minutes is valid.

The scorer is loaded from bench/ (it is a script, not a module of the app)."""

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tasks" / "tests" / "importers"
HELDOUT = ("decisions_heldout21", "decisions_heldout22")  # collected in session 22, scored together
HALVES = (*HELDOUT, "decisions_tune")
ROTATED = ("decisions_heldout", "decisions_heldout2", "decisions_heldout3")  # moved into decisions_tune in session 18
# moved into decisions_tune in session 19; each README says where they went
ROTATED_19 = ("decisions_heldout4", "decisions_heldout5", "decisions_heldout6", "decisions_heldout7",
              "decisions_heldout8", "decisions_heldout9",  # the eighth and ninth moved in session 20
              "decisions_heldout10", "decisions_heldout11",
              "decisions_heldout12", "decisions_heldout13",  # the tenth to thirteenth in session 21
              "decisions_heldout14", "decisions_heldout15",
              "decisions_heldout16", "decisions_heldout17",
              "decisions_heldout18", "decisions_heldout19",
              "decisions_heldout20")  # the fourteenth to twentieth in session 22


def _scorer():
    spec = importlib.util.spec_from_file_location("decisions_score", ROOT / "bench" / "decisions_score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["decisions_score"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


ds = _scorer()
labelled = sys.modules["bench.labelled"]
ALL = [p for half in HALVES for p in sorted((CORPUS / half).glob("*.labels.json"))]


def _perfect(labels):
    return [ds.Predicted(t["text"] + "，其余内容。", list(t["lead"]), list(t["supporting"]), t["deadline"])
            for t in labels]


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_labels_file_is_valid_and_quotes_its_document(path):
    data = ds.load_labels(path)  # raises on a malformed file
    flat = re.sub(r"\s+", "", (path.parent / data["file"]).read_text(encoding="utf-8"))
    for decision in data["decisions"]:
        assert re.sub(r"\s+", "", decision["text"]) in flat, decision["text"]
        for unit in [*decision["lead"], *decision["supporting"]]:
            # verbatim, or a list member with the tail the list writes once ('清河、西三旗街道' -> 清河街道)
            assert labelled.quotes_unit(re.sub(r"\s+", "", unit), flat), unit


@pytest.mark.parametrize(("unit", "quoted"), [
    ("市自然资源局", True), ("区自然资源局", True),  # '市、区自然资源局': one unit per level
    ("清河街道", True), ("西三旗街道", True),  # '清河、西三旗街道'
    ("鲁沙尔镇人民政府", True), ("西堡镇人民政府", True),  # 'A镇、B镇人民政府'
    ("秭归县政府", True), ("监察部门", True),
    ("市发改局", True), ("市经贸局", True),  # '市发改、经贸等局': the level and the tail written once
    ("市规划局", False), ("区经贸局", False),  # a member the list does not name; a level it does not write
    ("东城街道", False),  # a unit the text does not write
    ("清河区街道", False), ("西堡人民政府", False),  # a typo'd member
    ("监察局", False),  # a tail the list does not write
    ("康川街道人民政府", False),  # a member of no list sharing that tail
])
def test_a_unit_is_quoted_verbatim_or_as_a_list_member_with_its_shared_tail(unit, quoted):
    flat = ("鲁沙尔镇、西堡镇、多巴镇人民政府,康川街道办事处:监察、纠风部门:负责查处。清河、西三旗街道负责。"
            "秭归县、夷陵区、伍家岗区政府和宜昌开发区管委会:市、区自然资源局要。市发改、经贸等局负责")
    assert labelled.quotes_unit(unit, flat) is quoted


def test_the_corpus_is_a_tuning_half_and_held_out_folders_disjoint_from_distinct_sources():
    names = {half: {p.name for p in (CORPUS / half).glob("*.labels.json")} for half in HALVES}
    assert all(names[folder] for folder in HELDOUT), "every held-out folder holds labelled documents"
    assert sum(len(names[folder]) for folder in HELDOUT) >= 10 and len(names["decisions_tune"]) >= 367
    for i, a in enumerate(HALVES):
        for b in HALVES[i + 1:]:
            assert not names[a] & names[b], (a, b)
    sources = [json.loads(p.read_text(encoding="utf-8"))["source"] for p in ALL]
    assert len(sources) == len(set(sources)), "one document per published source"
    for folder in HELDOUT:
        assert "never" in (CORPUS / folder / "README.md").read_text(encoding="utf-8").lower()
    tune_readme = (CORPUS / "decisions_tune" / "README.md").read_text(encoding="utf-8")
    assert "rotated in during session 18" in tune_readme and "rotated in during session 19" in tune_readme
    for old in ROTATED:
        assert not (CORPUS / old).exists(), f"{old} was rotated into decisions_tune"
    # the fourth to ninth folders keep only their README, which says where their documents went
    for old in ROTATED_19:
        assert [p.name for p in (CORPUS / old).iterdir()] == ["README.md"]
        assert "decisions_tune" in (CORPUS / old / "README.md").read_text(encoding="utf-8")


def test_the_held_out_set_is_the_twenty_first_and_twenty_second_folders_and_the_rotated_documents_are_tuned_on():
    assert ds.SETS["heldout"] == HELDOUT
    assert ds.SETS["tune"] == ("decisions_tune",)
    assert set(ds.SETS["both"]) == set(HALVES)
    assert not {"heldout1", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7",
                 "heldout8", "heldout9", "heldout10", "heldout11", "heldout12",
                 "heldout13", "heldout14", "heldout15", "heldout16",
                 "heldout17", "heldout18", "heldout19", "heldout20"} & set(ds.SETS)
    # a document of each rotated folder is now scored with the tuning half
    tune = {p.name for p in (CORPUS / "decisions_tune").glob("*.labels.json")}
    assert {"chengbu_weigai_2017.labels.json", "dazhou_penggai_2018.labels.json",
            "huiji_jiaotong_2018.labels.json", "6dgww_gongyequ_xianchang.labels.json",
            "yuzhong_renwu_fenjie_2023.labels.json", "maguan_qicheng_ducha_2021.labels.json",
            "zhenba_hezhang_2020.labels.json", "siping_tiexi_ducha_tongzhidan_2019.labels.json",
            "xupu_liangcheng_tongbao_2018.labels.json",
            "xianning_gongwei_wenti_2017.labels.json",
            "zhongdian_zhuanye_zijin_taolunhui_2016.labels.json",
            "vshi_chuangcheng_ducha_9_2022.labels.json",
            "panshi_qianyi_xianlu_han_86_2021.labels.json",
            "tianmen_feiqi_dianxiangan_dafu_2024.labels.json",
            "yuexi_xianlu_tongdao_zhili_2016.labels.json",
            "quanjiao_wugang_ludeng_xieshang_2023.labels.json",
            "suizhou_shengji_wenming_chengshi_jinji_2011.labels.json",
            "chengshi_huanjing_guanli_jiyao.labels.json",
            "anxiang_jiaotong_anquan_yinhuan_wenti.labels.json",
            "hengyang_luanzhan_gengdi_yuetan.labels.json",
            "jingzhou_chuangwen_puguangtai_0310.labels.json",
            "fenghua_changwu_huiyi_3_2022.labels.json",
            "yichang_sanxia_lvyou_shichang_zhengzhi_zhize.labels.json"} <= tune


def test_a_set_whose_folder_holds_no_labelled_document_is_refused_naming_it(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(ds, "CORPUS", tmp_path)
    (tmp_path / "decisions_tune").mkdir()
    assert ds.main(["--set", "tune"]) == 1
    assert "decisions_tune" in capsys.readouterr().err


def test_a_held_out_set_of_several_folders_is_refused_naming_each_missing_one(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(ds, "CORPUS", tmp_path)
    assert len(ds.SETS["heldout"]) == 2
    first, second = ds.SETS["heldout"]
    assert ds.main(["--set", "heldout"]) == 1  # neither merged yet
    err = capsys.readouterr().err
    assert first in err and second in err
    (tmp_path / first).mkdir()
    (tmp_path / first / "doc.txt").write_text("由市住建局牵头。\n", encoding="utf-8")
    (tmp_path / first / "doc.labels.json").write_text(json.dumps(
        {"source": "https://example.gov.cn/a.html", "file": "doc.txt", "year": 2026,
         "decisions": [{"text": "由市住建局牵头", "lead": ["市住建局"], "supporting": [], "deadline": None}]},
        ensure_ascii=False), encoding="utf-8")
    assert ds.main(["--set", "both"]) == 1  # one merged, the other still missing
    err = capsys.readouterr().err
    assert second in err and first not in err and not capsys.readouterr().out


def test_a_perfect_prediction_scores_one_whatever_the_order():
    labels = ds.load_labels(CORPUS / "decisions_tune" / "yueyanglou_guishan_2012.labels.json")["decisions"]
    doc = ds.score("d", labels, list(reversed(_perfect(labels))))
    assert (doc.right, doc.total, doc.matched) == (len(labels), len(labels), len(labels))


def test_each_kind_of_error_counts_and_the_summary_pools_decisions():
    labels = [
        {"text": "由县住建局牵头", "lead": ["县住建局"], "supporting": ["县财政局"], "deadline": "2026-06-30"},
        {"text": "县发改委负责申报", "lead": ["县发改委"], "supporting": [], "deadline": None},
        {"text": "请县城管局摸排", "lead": ["县城管局"], "supporting": [], "deadline": "2026-04-15"},
        {"text": "另一项", "lead": ["县税务局"], "supporting": [], "deadline": None},
    ]
    wrong = [
        ds.Predicted("二、由县住建局牵头，于6月底前完成", ["县住建局"], [], "2026-06-30"),  # a supporting unit missing
        ds.Predicted("县发改委负责申报工作", ["县发改委"], [], "2026-12-31"),  # a deadline that is not one
        ds.Predicted("请县城管局摸排电梯", ["县财政局"], [], "2026-04-15"),  # the wrong lead
    ]  # the last decision is not found at all
    doc = ds.score("d", labels, wrong)
    assert (doc.right, doc.matched, doc.lead_right, doc.deadline_right) == (0, 3, 2, 2)
    perfect = ds.score("p", labels, _perfect(labels))
    summary = ds.summarise([perfect, doc])
    assert summary["decisions"] == 8 and summary["score"] == 0.5


def test_matching_ignores_numbering_spaces_and_bracket_width_and_is_one_to_one():
    labels = [{"text": "（一）新建成公办中小学", "lead": ["教育局（本级）"], "supporting": [], "deadline": None},
              {"text": "新建成公办幼儿园", "lead": ["教育局"], "supporting": [], "deadline": None}]
    doc = ds.score("d", labels, [ds.Predicted("1. 新 建 成 公 办 中 小 学 7所", ["教育局(本级)"], [], None)])
    assert doc.right == 1 and doc.matched == 1


def test_a_refused_document_scores_zero_and_says_why(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("  \n", encoding="utf-8")
    labels = {"year": 2026, "decisions": [{"text": "某项", "lead": ["市住建局"], "supporting": [], "deadline": None}]}
    doc = ds.score_document(path, labels)
    assert doc.refused and doc.right == 0 and doc.total == 1


@pytest.mark.parametrize("change, message", [
    ({"source": "本地文件"}, "source"),
    ({"year": "2026"}, "year"),
    ({"file": "missing.txt"}, "file"),
    ({"decisions": []}, "decisions"),
    ({"decisions": [{"text": "任务", "lead": [], "supporting": [], "deadline": None}]}, "no lead"),
    ({"decisions": [{"text": "任务", "lead": ["市住建局"], "supporting": ["市住建局"], "deadline": None}]}, "both"),
    ({"decisions": [{"text": "任务", "lead": ["市住建局"], "supporting": [], "deadline": "6月底"}]}, "ISO"),
])
def test_a_malformed_labels_file_is_refused_naming_it(tmp_path, change, message):
    (tmp_path / "doc.txt").write_text("任务 市住建局\n", encoding="utf-8")
    data = {"source": "https://example.gov.cn/a.html", "file": "doc.txt", "year": 2026,
            "decisions": [{"text": "任务", "lead": ["市住建局"], "supporting": [], "deadline": None}], **change}
    path = tmp_path / "doc.labels.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        ds.load_labels(path)
    assert "doc.labels.json" in str(err.value)


def test_the_script_prints_per_document_lines_and_overall_exits_zero_and_tune_clears_a_smoke_floor(capsys, monkeypatch):
    # The tuning half scored once and printed both ways: the JSON run takes each document's score from the text
    # run (the same file, labels and limits) instead of parsing the 251 documents again (half the test's CPU).
    scored, score_document = {}, ds.score_document

    def once(path, labels, limits=None):
        key = (path, json.dumps(labels, sort_keys=True), limits)
        if key not in scored:
            scored[key] = score_document(path, labels, limits)
        return scored[key]

    monkeypatch.setattr(ds, "score_document", once)
    assert ds.main(["--set", "tune"]) == 0
    out = capsys.readouterr().out
    assert "overall" in out and "lishan_zdgz_2023.txt" in out
    assert ds.main(["--set", "tune", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["decisions_tune"]["summary"]
    assert summary["refused"] == 0 and summary["score"] >= 0.5  # a smoke floor, not the measurement
    assert summary["documents"] == len(scored) >= 251
