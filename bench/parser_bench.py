"""Parser benchmark: generated plans of 20, 200 and 2000 pages, parse time per size.

    python bench/parser_bench.py [--sizes 20 200 2000] [--repeat 3] [--mixed 2000]

A "page" is about 1,000 Chinese characters (an A4 page of a government document).
The generated plan has every part the parser reads: a units list, a target table,
numbered key tasks in sections with responsibility statements in the real plans'
forms, statements on their own lines, a task table, a safeguards section and a work
list whose items must be linked to tasks. The time per page stays flat when the
parser is linear; the script fails (exit 1) when 200 pages take more than 3 s.

``--mixed N`` then parses N pages of which half are task tables (pipe rows with merged
sub-rows and "same as above" cells, one cell per line, space-separated PDF columns with
interleaved wrapped lines, tab rows) against N pages of prose, and prints the ratio
(the target is below 2x; the script fails at 2x or more).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks.importers import parse_plan_text

PAGE_CHARS = 1000
UNITS = [
    "市住建局", "市发改局", "市经信局", "市财政局", "市资规局", "市市场监管局", "市税务局", "市人民银行",
    "市民政局", "市卫健局", "市教育局", "市农业农村局", "市应急管理局", "市综合行政执法局", "市委组织部",
]
LISTED = [
    "市住建局", "市发展和改革局", "市经信局", "市财政局", "市自然资源和规划局", "市市场监管局", "市税务局",
    "市人民银行", "市民政局", "市卫生健康局", "市教育局", "市农业农村局", "市应急管理局", "市综合行政执法局",
    "市委组织部",
]
TOPICS = [
    ("扩大保障性租赁住房供给", "保障性租赁住房", "筹集保障性租赁住房"),
    ("提升公租房保障能力", "公租房", "做好公租房在保家庭保障"),
    ("实施老旧小区改造", "老旧小区", "开工改造城镇老旧小区"),
    ("全域推进未来社区建设", "未来社区", "创建未来社区"),
    ("全面提升专业物业服务", "物业服务", "提升住宅小区专业物业服务覆盖率"),
    ("全面开展既有住宅加装电梯", "加装电梯", "推进既有住宅加装电梯"),
    ("全面推进城乡危房治理", "危房", "完成城镇危房实质性解危"),
    ("促进住房市场稳定", "住房市场", "稳地价稳房价稳预期"),
]
FILLER = (
    "加快完善落实相关支持政策,有效增加供应,推动实现供需平衡,着力解决新市民、青年人住房困难问题。"
    "提升存量用地、存量用房新建、改建项目比例,改善居住环境和条件,优化房源结构。"
    "研究制定运营管理、资金补助等配套政策,提升管理服务水平,建立健全长效管理机制。"
)


def _units(rng: random.Random) -> str:
    picked = rng.sample(UNITS[1:], rng.randint(2, 7))
    return "、".join(["市住建局", *picked])


def generate(pages: int, seed: int = 7) -> str:
    """A plan of about ``pages`` pages."""
    rng = random.Random(seed)
    out = [
        "某某市住房工作专班办公室",
        "某某市推进“住有宜居”专项实施方案(2023—2027年)",
        "一、指导思想",
        FILLER,
        "二、主要目标",
        "“住有宜居”工程五年目标表",
        "领域 | 序号 | 指 标 | 2022年现状值 | 2023年 目标值 | 2024年 目标值 | 2025年 目标值 | 2026年 目标值"
        " | 2027年 目标值",
    ]
    for i, (_, word, _) in enumerate(TOPICS, 1):
        values = [i * 10, i * 11, i * 12, f">{i * 12}", f"大于{i * 12}", i * 14]
        out.append(f"住房保障 | {i} | {word}累计数量(个) | " + " | ".join(map(str, values)))
    out.append("三、重点任务")
    budget = pages * PAGE_CHARS
    size = sum(len(x) for x in out)
    n = 0
    section = 0
    work: list[str] = []
    while size < budget:
        if n % 10 == 0:
            section += 1
            out.append(f"({section})第{section}部分重点任务。坚持保基本和促发展并举,推动高质量发展。")
        n += 1
        title, word, action = TOPICS[n % len(TOPICS)]
        body = f"{n}.{title}(第{n}项)。{FILLER[: rng.randint(80, len(FILLER))]}"
        form = n % 4
        if form == 0:
            out.append(f"{body}(责任单位:{_units(rng)})")
        elif form == 1:
            out.append(f"{body}（牵头单位：市住建局；配合单位：{_units(rng)}）")
        elif form == 2:
            # broken across a page: the statement on its own line
            half = len(body) // 2
            out += [body[:half], "", body[half:], f"责任单位:{_units(rng)}等,各镇(街道)"]
        else:
            out.append(f"{body}[市住建局牵头,{_units(rng)}按职责分工负责]")
        work.append(f"{n} | {word}推进数(个) | {n % 50 + 1} | {action}{n}个。 | {rng.randint(1, 12)}月底前")
        work.append(f" | | | 完善{word}长效机制。 | 每季度")
        size += len(out[-1]) + (len(body) if form == 2 else 0) + 60
    out += ["四、保障措施", "(一)加强统筹协调。成立工作专班。", "附件", "市级有关单位名单", "、".join(LISTED)]
    out += ["2023年“住有宜居”主要指标工作清单", "序号 | 指标体系 | 2023年目标 | 工作清单 | 完成期限", *work]
    return "\n".join(out)


TABLE_HEADERS = ("序号", "工作任务", "牵头单位", "配合单位", "完成时限")


def _table_rows(rng: random.Random, start: int, count: int, layout: int) -> list[str]:
    """``count`` task rows from number ``start`` in one of four layouts (see the module docstring)."""
    out: list[str] = []
    if layout == 0:  # pipe rows: a section row, sub-rows, empty "same as above" lead cells
        out.append("| " + " | ".join(TABLE_HEADERS) + " | 备注 |")
        for n in range(start, start + count):
            title, _, action = TOPICS[n % len(TOPICS)]
            if n % 7 == 0:
                out.append(f"| ({n // 7})第{n // 7}组任务 | | | | | |")
            lead = "" if n % 5 == 0 else "市住建局"
            out.append(f"| {n} | {title}(第{n}项)。{FILLER[: rng.randint(60, 160)]} | {lead} | {_units(rng)} |"
                       f" {rng.randint(1, 12)}月底前 | |")
            if n % 3 == 0:
                out.append(f"| | {action}{n}个。 | 市财政局 | {_units(rng)} | 年底前 | |")
    elif layout == 1:  # one cell per line, the headers once at the top
        out += list(TABLE_HEADERS)
        for n in range(start, start + count):
            title, _, _ = TOPICS[n % len(TOPICS)]
            out += [str(n), f"{title}(第{n}项)。{FILLER[: rng.randint(60, 160)]}", "市住建局", _units(rng),
                    f"2023年{rng.randint(1, 12)}月底前"]
    elif layout == 2:  # space-separated columns, wrapped lines interleaved
        out.append("    ".join(TABLE_HEADERS))
        for n in range(start, start + count):
            title, _, action = TOPICS[n % len(TOPICS)]
            text = f"{title}(第{n}项)，{FILLER[: rng.randint(40, 120)]}"
            units = _units(rng).split("、")
            out.append(f"{n}    {text[:30]}    市住建局    {'、'.join(units[:2])}、")
            out.append(f"     {text[30:]}    {'、'.join(units[2:]) or '市财政局'}    {rng.randint(1, 12)}月底前")
    else:  # tab rows (a .docx table as the reader writes it)
        out.append("\t".join(TABLE_HEADERS))
        for n in range(start, start + count):
            title, _, _ = TOPICS[n % len(TOPICS)]
            out.append(f"{n}\t{title}(第{n}项)。{FILLER[: rng.randint(60, 160)]}\t市住建局\t{_units(rng)}\t年内")
    return out


def generate_mixed(pages: int, seed: int = 11) -> str:
    """About ``pages`` pages: half the prose plan of ``generate``, half task tables after its key tasks."""
    rng = random.Random(seed)
    prose = generate(pages // 2, seed=seed).split("\n")
    cut = prose.index("四、保障措施")
    tables: list[str] = []
    budget = (pages - pages // 2) * PAGE_CHARS
    size, n, layout = 0, 1, 0
    while size < budget:
        tables.append(f"表{layout + 1} 第{n}至{n + 39}项任务分工")
        rows = _table_rows(rng, n, 40, layout % 4)
        tables += rows
        size += sum(len(r) for r in rows)
        n += 40
        layout += 1
    return "\n".join(prose[:cut] + tables + prose[cut:])


def _best(text: str, repeat: int, source: str) -> tuple[float, object]:
    """Best CPU time of ``repeat`` parses (CPU, not wall time: the machine may be shared)."""
    best, plan = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        plan = parse_plan_text(text, source=source)
        best = min(best, time.process_time() - start)
    return best, plan


def mixed_ratio(pages: int, repeat: int) -> float:
    prose_text, mixed_text = generate(pages), generate_mixed(pages)
    prose_s, prose_plan = _best(prose_text, repeat, "prose.txt")
    mixed_s, mixed_plan = _best(mixed_text, repeat, "mixed.txt")
    ratio = mixed_s / prose_s
    for label, seconds, plan, text in ((" of prose", prose_s, prose_plan, prose_text),
                                       (", half tables", mixed_s, mixed_plan, mixed_text)):
        print(f"{pages} pages{label}: {seconds:.3f} s CPU, {len(plan.key_tasks)} tasks ({len(text)} chars)")
    print(f"ratio tables/prose: {ratio:.2f}x (target < 2x)")
    return ratio


def spreadsheet_seconds(rows: int, repeat: int) -> tuple[float, int]:
    """A task list of ``rows`` rows as a real .xlsx (openpyxl), read and parsed as an upload is
    (``read_and_parse``: caps, calamine, the grid reader); the best time of ``repeat`` and the tasks found."""
    import tempfile

    import openpyxl

    from tasks.importers.limits import read_and_parse

    rng = random.Random(5)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2024年重点任务分工表"])
    ws.append(["序号", "重点任务", "牵头单位", "配合单位", "完成时限", "备注"])
    for i in range(1, rows + 1):
        ws.append([i, f"第{i}项：推进城镇老旧小区改造，完成{rng.randint(5, 90)}个小区的改造提升和配套设施建设",
                   rng.choice(UNITS), "、".join(rng.sample(UNITS, 2)), f"2024年{rng.randint(1, 12)}月底前", ""])
    best, found = float("inf"), 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.xlsx"
        wb.save(path)
        for _ in range(repeat):
            start = time.perf_counter()
            _text, plan = read_and_parse(path)
            best = min(best, time.perf_counter() - start)
            found = len(plan.key_tasks)
    return best, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheet-rows", type=int, default=3000, help="rows of the spreadsheet timed (0: skip)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 200, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mixed", type=int, default=2000, help="pages for the tables-vs-prose ratio (0: skip)")
    args = parser.parse_args()
    print(f"{'pages':>6} {'chars':>10} {'tasks':>6} {'items':>6} {'best s':>8} {'ms/page':>8} {'ratio':>6}")
    base = None
    slow = False
    for pages in args.sizes:
        text = generate(pages)
        best = float("inf")
        plan = None
        for _ in range(args.repeat):
            start = time.perf_counter()
            plan = parse_plan_text(text, source=f"bench-{pages}.txt")
            best = min(best, time.perf_counter() - start)
        per_page = best / pages * 1000
        base = base or per_page
        real_pages = len(text) / PAGE_CHARS
        print(f"{pages:>6} {len(text):>10} {len(plan.key_tasks):>6} {len(plan.work_items):>6} {best:>8.3f}"
              f" {per_page:>8.2f} {per_page / base:>6.2f}   ({real_pages:.0f} pages of {PAGE_CHARS} chars)")
        if pages == 200 and best > 3.0:
            slow = True
    if slow:
        print("FAIL: 200 pages took more than 3 s")
        return 1
    if args.mixed and mixed_ratio(args.mixed, args.repeat) >= 2.0:
        print("FAIL: half-table pages take 2x or more the time of prose")
        return 1
    if args.sheet_rows:
        seconds, found = spreadsheet_seconds(args.sheet_rows, args.repeat)
        print(f"spreadsheet: {args.sheet_rows} rows -> {found} tasks in {seconds:.2f} s (target < 5 s)")
        if seconds >= 5.0:
            print("FAIL: the spreadsheet took 5 s or more")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
