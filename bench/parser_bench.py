"""Parser benchmark: generated plans of 20, 200 and 2000 pages, parse time per size.

    python bench/parser_bench.py [--sizes 20 200 2000] [--repeat 3]

A "page" is about 1,000 Chinese characters (an A4 page of a government document).
The generated plan has every part the parser reads: a units list, a target table,
numbered key tasks in sections with responsibility statements in the real plans'
forms, statements on their own lines, a task table, a safeguards section and a work
list whose items must be linked to tasks. The time per page stays flat when the
parser is linear; the script fails (exit 1) when 200 pages take more than 3 s.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 200, 2000])
    parser.add_argument("--repeat", type=int, default=3)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
