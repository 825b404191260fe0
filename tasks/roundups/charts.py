"""Horizontal bar charts as inline SVG: no script, no CDN, the same in the browser and in the PDF."""

from __future__ import annotations

from html import escape

from django.utils.translation import gettext as _

from .report import COLOUR_HEX

ROW = 24
LABEL_W = 190
BAR_W = 400
VALUE_W = 70
WIDTH = LABEL_W + BAR_W + VALUE_W
TOP = 26
FONT = "'WenQuanYi Micro Hei','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif"


def _label(text: str, limit: int = 13) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hbar_chart(
    rows: list[tuple],
    *,
    title: str,
    max_value: float,
    value_text,
    marker_label: str = "",
) -> str:
    """An SVG bar per row: ``(label, value or None, colour[, marker])``; bars are capped at ``max_value``.

    A marker (e.g. the progress expected by now, 序时进度) is drawn as a dark tick on the bar.
    """
    height = TOP + ROW * max(len(rows), 1) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="13">',
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="#1f2937">{escape(title)}</text>',
    ]
    # Grid at 0, 25, 50, 75, 100 % of the scale.
    bottom = TOP + ROW * max(len(rows), 1)
    for i in range(5):
        x = LABEL_W + BAR_W * i / 4
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{bottom}" stroke="#e3e6ea"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" fill="#6b7280" font-size="11">'
            f"{escape(value_text(max_value * i / 4))}</text>"
        )
    if not rows:
        parts.append(f'<text x="{LABEL_W}" y="{TOP + 16}" fill="#6b7280">—</text>')
    for n, row in enumerate(rows):
        label, value, colour = row[0], row[1], row[2]
        marker = row[3] if len(row) > 3 else None
        y = TOP + n * ROW
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + 16}" text-anchor="end" fill="#1f2937">'
            f"<title>{escape(label)}</title>{escape(_label(label))}</text>"
        )
        if value is not None:
            width = BAR_W * min(max(value, 0.0), max_value) / max_value
            parts.append(
                f'<rect x="{LABEL_W}" y="{y + 5}" width="{width:.1f}" height="{ROW - 10}" rx="2" '
                f'fill="#{COLOUR_HEX.get(colour, COLOUR_HEX["none"])}"/>'
            )
        if marker is not None:
            mx = LABEL_W + BAR_W * min(max(marker, 0.0), max_value) / max_value
            parts.append(
                f'<line x1="{mx:.1f}" y1="{y + 2}" x2="{mx:.1f}" y2="{y + ROW - 2}" stroke="#111827" '
                f'stroke-width="2"><title>{escape(marker_label)}</title></line>'
            )
        parts.append(
            f'<text x="{LABEL_W + BAR_W + 8}" y="{y + 16}" fill="#1f2937">'
            f"{escape(value_text(value) if value is not None else '—')}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


OUTCOME_COLOURS = [
    ("done_on_time", "2E7D32"),
    ("done_late", "EF8F00"),
    ("awaiting_review", "60A5FA"),
    ("overdue", "C62828"),
]


def stacked_outcome_chart(rows: list[dict], *, title: str, legend: list[str], per_column: int = 20) -> str:
    """One 100% bar per unit split into on time / late / awaiting review / overdue; the figure
    after the bar is the on-time rate, i.e. the length of the green part.

    More than ``per_column`` units are laid out in two columns, so the chart fits on one printed page.
    """
    columns = 1 if len(rows) <= per_column else 2
    per = -(-len(rows) // columns) if rows else 1
    top = TOP + 18
    height = top + ROW * per + 24
    width = WIDTH * columns + 30 * (columns - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="13">',
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="#1f2937">{escape(title)}</text>',
    ]
    x = LABEL_W
    for text, (_key, colour) in zip(legend, OUTCOME_COLOURS, strict=True):
        parts.append(f'<rect x="{x}" y="{TOP - 4}" width="11" height="11" fill="#{colour}"/>')
        parts.append(f'<text x="{x + 15}" y="{TOP + 6}" font-size="12" fill="#374151">{escape(text)}</text>')
        x += 22 + 13 * len(text)
    if not rows:
        parts.append(f'<text x="{LABEL_W}" y="{top + 16}" fill="#6b7280">—</text>')
    for column in range(columns):
        left = column * (WIDTH + 30)
        chunk = rows[column * per:(column + 1) * per]
        bottom = top + ROW * max(len(chunk), 1)
        for i in range(5):
            gx = left + LABEL_W + BAR_W * i / 4
            parts.append(f'<line x1="{gx:.1f}" y1="{top - 2}" x2="{gx:.1f}" y2="{bottom}" stroke="#e3e6ea"/>')
            parts.append(
                f'<text x="{gx:.1f}" y="{bottom + 16}" text-anchor="middle" fill="#6b7280" font-size="11">'
                f"{i * 25}%</text>"
            )
        for n, row in enumerate(chunk):
            y = top + n * ROW
            parts.append(
                f'<text x="{left + LABEL_W - 8}" y="{y + 16}" text-anchor="end" fill="#1f2937">'
                f"<title>{escape(row['unit'])}</title>{escape(_label(row['unit']))}</text>"
            )
            x = float(left + LABEL_W)
            for key, colour in OUTCOME_COLOURS:
                if row[key]:
                    bar = BAR_W * row[key] / row["due"]
                    parts.append(
                        f'<rect x="{x:.1f}" y="{y + 5}" width="{bar:.1f}" height="{ROW - 10}" fill="#{colour}">'
                        f"<title>{row[key]}</title></rect>"
                    )
                    x += bar
            rate = row["on_time_rate"]
            parts.append(
                f'<text x="{left + LABEL_W + BAR_W + 8}" y="{y + 16}" fill="#1f2937">'
                f"{'—' if rate is None else f'{rate * 100:.1f}%'.replace('.0%', '%')}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def unit_rate_chart(report) -> str:
    return stacked_outcome_chart(
        [u for u in report.units if u["due"]],
        title=_("各单位按期完成率（牵头事项，按排名）"),
        legend=[_("按期完成"), _("逾期完成"), _("待审核"), _("逾期未完成")],
    )


def indicator_chart(report) -> str:
    return hbar_chart(
        report.indicator_series(),
        title=_("指标完成进度（竖线为应达进度）"),
        max_value=100.0,
        value_text=lambda v: f"{v:.1f}%".replace(".0%", "%") if v is not None else "—",
        marker_label=_("应达进度"),
    )
