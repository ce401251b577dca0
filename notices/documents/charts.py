"""Charts embedded in the documents, drawn with matplotlib as PNG.

Chinese labels need a CJK font known to matplotlib. Without one the glyphs
would print as empty boxes, so the chart is not drawn at all (None) and the
documents show the same figures as a table instead.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from notices.documents.data import UnitStats

log = logging.getLogger(__name__)

# Families in order of preference: Simplified Chinese first, then anything CJK.
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Sans CN",
    "SimHei", "Microsoft YaHei", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "PingFang SC",
    "Noto Sans CJK JP", "Noto Sans CJK TC", "AR PL UMing CN", "Droid Sans Fallback",
)
# File names to look for when matplotlib's font cache predates the font's installation.
_CJK_FILE_HINTS = ("notosanscjk", "notoserifcjk", "sourcehansans", "simhei", "msyh", "wqy",
                   "droidsansfallback", "uming")

MAX_BARS = 15  # beyond this the bars get too thin to read; the rest are summed in one bar
CLOSED_COLOUR, IN_PROGRESS_COLOUR, OVERDUE_COLOUR = "#2e7d32", "#f9a825", "#c62828"


@lru_cache(maxsize=None)
def cjk_font_file(families: tuple[str, ...] = CJK_FAMILIES) -> str | None:
    """Path of a font file with Chinese glyphs, or None if the machine has none."""
    from matplotlib import font_manager

    by_name = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in families:
        if family in by_name:
            return by_name[family]
    if families != CJK_FAMILIES:
        return None
    for fname in sorted(font_manager.findSystemFonts()):
        if any(hint in Path(fname).name.lower().replace("-", "") for hint in _CJK_FILE_HINTS):
            return fname
    return None


def progress_by_unit(units: Sequence[UnitStats],
                     families: tuple[str, ...] = CJK_FAMILIES) -> bytes | None:
    """Horizontal stacked bars per unit: 已销号 / 正在整改 / 逾期未销号, as PNG bytes.

    The document's caption names the chart, so the picture carries no title.
    """
    font_file = cjk_font_file(families)
    if font_file is None:
        log.warning("未找到可用的中文字体，整改进度图改以表格呈现（可安装 fonts-noto-cjk）")
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=font_file, size=10)
    small = FontProperties(fname=font_file, size=9)
    # Largest workload on top, so the eye reads the bars like a ranking.
    ordered = sorted(grouped_for_chart(units), key=lambda u: (u.total, u.unit))
    names = [u.unit for u in ordered]
    series = (
        ("已销号", [u.closed for u in ordered], CLOSED_COLOUR),
        ("正在整改", [u.in_progress for u in ordered], IN_PROGRESS_COLOUR),
        ("逾期未销号", [u.overdue for u in ordered], OVERDUE_COLOUR),
    )
    height = 1.2 + 0.42 * max(len(ordered), 1)
    figure = Figure(figsize=(6.1, height), dpi=200)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    left = [0] * len(ordered)
    for label, values, colour in series:
        bars = ax.barh(names, values, left=left, color=colour, label=label, height=0.6)
        for bar, value in zip(bars, values):
            if value:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2,
                        str(value), ha="center", va="center", color="white", fontproperties=small)
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(range(len(names)), names, fontproperties=font)
    ax.set_xlabel("问题数（个）", fontproperties=font)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(prop=small, loc="lower center", frameon=False, ncol=3, bbox_to_anchor=(0.5, 1.0))
    figure.tight_layout()
    out = BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def grouped_for_chart(units: Sequence[UnitStats], limit: int = MAX_BARS) -> list[UnitStats]:
    """The `limit - 1` units with most findings, and one bar summing all the others."""
    if len(units) <= limit:
        return list(units)
    ranked = sorted(units, key=lambda u: (-u.total, -u.overdue, u.unit))
    kept, rest = ranked[:limit - 1], ranked[limit - 1:]
    sums = [sum(getattr(u, name) for u in rest)
            for name in ("total", "closed_on_time", "closed_late", "in_progress", "overdue")]
    return kept + [UnitStats(f"其他{len(rest)}个单位", *sums)]
