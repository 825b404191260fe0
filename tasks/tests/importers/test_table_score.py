"""bench/table_score.py scores what it claims to, and the issue-33 corpus of labelled tables is valid.

The scorer is loaded from bench/ (it is a script, not a module of the app)."""

import importlib.util
import json
import re
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tasks" / "tests" / "importers"
HALVES = ("tables_heldout", "tables_tune")


def _scorer():
    spec = importlib.util.spec_from_file_location("table_score", ROOT / "bench" / "table_score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["table_score"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


ts = _scorer()


def _labels(half):
    return sorted((CORPUS / half).glob("*.labels.json"))


def _document_text(path: Path) -> str:
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    return path.read_text(encoding="utf-8")


def _perfect(labels):
    return [ts.Predicted(t["text"] + "。其余内容", list(t["lead"]), list(t["supporting"])) for t in labels]


ALL = [p for half in HALVES for p in _labels(half)]


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_labels_file_is_valid_and_matches_its_document(path):
    data = ts.load_labels(path)  # raises on a malformed file
    flat = re.sub(r"\s+", "", _document_text(path.parent / data["file"]))
    for task in data["tasks"]:
        assert re.sub(r"\s+", "", task["text"]) in flat, task["text"]
        for unit in task["lead"] + task["supporting"]:
            name = re.sub(r"\s+", "", unit)
            if data["form"] == "pdf_columns":  # a narrow column's name wraps between other columns' text
                assert re.search(".{0,80}?".join(map(re.escape, name)), flat), unit
            else:
                assert name in flat, unit


def test_the_corpus_is_two_disjoint_halves_of_at_least_forty_documents_with_every_form():
    names = {half: {p.name for p in _labels(half)} for half in HALVES}
    assert len(names["tables_heldout"]) + len(names["tables_tune"]) >= 40
    assert not names["tables_heldout"] & names["tables_tune"]
    sources = [json.loads(p.read_text(encoding="utf-8"))["source"] for p in ALL]
    assert len(sources) == len(set(sources)), "one document per published source"
    for half in HALVES:
        forms = {json.loads(p.read_text(encoding="utf-8"))["form"] for p in _labels(half)}
        assert forms == set(ts.FORMS), (half, forms)
    assert "never" in (CORPUS / "tables_heldout" / "README.md").read_text(encoding="utf-8").lower()


@pytest.mark.parametrize("path", ALL[::7], ids=lambda p: p.name)
def test_a_perfect_prediction_scores_one(path):
    tasks = ts.load_labels(path)["tasks"]
    predicted = list(reversed(_perfect(tasks)))  # order does not matter
    doc = ts.score(path.name, "table_text", tasks, predicted)
    assert (doc.right, doc.total, doc.matched) == (len(tasks), len(tasks), len(tasks))


def test_wrong_units_score_lower_and_each_kind_of_error_counts():
    tasks = [
        {"text": "完善城市管理体制", "lead": ["市委编办"], "supporting": ["市住建局", "市城管局"]},
        {"text": "加快环境卫生设施建设", "lead": ["市住建局"], "supporting": ["市财政局"]},
        {"text": "鼓励净菜上市", "lead": ["市商务局"], "supporting": []},
        {"text": "防止过度包装", "lead": ["市质监局"], "supporting": []},
    ]
    perfect = ts.score("d", "table_text", tasks, _perfect(tasks))
    wrong = [
        ts.Predicted("1、完善城市管理体制。", ["市委编办"], ["市住建局"]),  # a supporting unit missing
        ts.Predicted("加快环境卫生设施建设", ["市财政局"], ["市住建局"]),  # lead and supporting swapped
        ts.Predicted("鼓励净菜上市,减少餐厨垃圾", ["市商务局", "张三"], []),  # a person read as a lead
        ts.Predicted("另一项工作", ["市质监局"], []),  # the last task not found at all
    ]
    doc = ts.score("d", "table_text", tasks, wrong)
    assert perfect.right == 4 and doc.right == 0 and doc.matched == 3 and doc.lead_right == 1
    summary = ts.summarise([perfect, doc])
    assert summary["overall"]["score"] == 0.5 and summary["by_form"]["table_text"]["tasks"] == 8


def test_matching_ignores_numbering_spaces_and_bracket_width_and_is_one_to_one():
    tasks = [{"text": "(一)新建成公办中小学", "lead": ["教育局（本级）"], "supporting": []},
             {"text": "新建成公办幼儿园", "lead": ["教育局"], "supporting": []}]
    predicted = [ts.Predicted("1. 新 建 成 公 办 中 小 学 7所", ["教育局(本级)"], [])]
    doc = ts.score("d", "table_text", tasks, predicted)
    assert doc.right == 1 and doc.matched == 1  # one prediction answers one labelled task only


def test_a_refused_document_scores_zero_and_says_why(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("关于召开会议的通知\n请准时参加。\n", encoding="utf-8")
    labels = {"form": "table_text", "tasks": [{"text": "某项任务", "lead": ["市住建局"], "supporting": []}]}
    doc = ts.score_document(path, labels)
    assert doc.refused and doc.right == 0 and doc.total == 1


@pytest.mark.parametrize("change, message", [
    ({"source": "本地文件"}, "source"),
    ({"form": "word"}, "form"),
    ({"file": "missing.txt"}, "file"),
    ({"tasks": []}, "tasks"),
    ({"tasks": [{"text": "任务", "lead": [], "supporting": []}]}, "no lead"),
    ({"tasks": [{"text": "任务", "lead": ["市住建局"], "supporting": ["市住建局"]}]}, "both lead and supporting"),
    ({"tasks": [{"text": "任务", "lead": "市住建局", "supporting": []}]}, "lead must be a list"),
])
def test_a_malformed_labels_file_is_refused_naming_it(tmp_path, change, message):
    (tmp_path / "doc.txt").write_text("任务 市住建局\n", encoding="utf-8")
    data = {"source": "https://example.gov.cn/a.html", "file": "doc.txt", "form": "table_text",
            "tasks": [{"text": "任务", "lead": ["市住建局"], "supporting": []}], **change}
    path = tmp_path / "doc.labels.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        ts.load_labels(path)
    assert "doc.labels.json" in str(err.value)


def test_the_script_prints_per_form_and_overall_and_exits_zero(capsys):
    assert ts.main(["--set", "tune"]) == 0
    out = capsys.readouterr().out
    assert "overall" in out and all(form in out for form in ts.FORMS)
