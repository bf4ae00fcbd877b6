"""Chart geometry for the News page, computed server-side; the templates draw it as inline SVG.

Only numbers and plain strings come out of here; every label is escaped by the Jinja2 autoescaping
templates that draw them (outlet names and titles are data from the web, never markup).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from newsflow_plugin.queries import LATENCY_BUCKETS, Series

#: Colour-blind-friendly palette (Okabe-Ito plus greys); outlets cycle through it in rank order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999")
STATUS_COLOURS = {"ok": "#009E73", "failed": "#D55E00", "empty": "#E69F00", "too_short": "#F0E442",
                  "paywalled": "#CC79A7", "not_article": "#999999"}
KIND_COLOURS = {"feed": "#0072B2", "article": "#E69F00", "robots": "#999999"}


def nice_max(value: float) -> int:
    """A round axis maximum >= value for counts (1, 2, 5 x 10^k)."""
    if value <= 1:
        return 1
    exp = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        top = step * 10**exp
        if top >= value:
            return int(top)
    return int(10 ** (exp + 1))


def _ticks(top: int) -> int:
    """Tick count giving whole-number steps: 1, 2 and 5 get one tick per unit, larger maxima 4 or 5."""
    if top <= 5:
        return top
    return 5 if top % 5 == 0 else 4


def _fmt(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.1f}"


def _y_axis(top: int, plot_top: float, plot_h: float, left: float, right: float) -> tuple[list, list]:
    grid, labels = [], []
    ticks = _ticks(top)
    for i in range(ticks + 1):
        value = top * i / ticks
        y = plot_top + plot_h - plot_h * i / ticks
        grid.append({"x1": left, "x2": right, "y": round(y, 1)})
        labels.append({"x": left - 6, "y": round(y + 4, 1), "text": _fmt(value)})
    return grid, labels


def stacked_days(series: Series, *, width: int = 760, height: int = 240, unit: str = "") -> dict:
    """Stacked bars: one per day, one segment per outlet."""
    left, right, top_pad, bottom = 44, 10, 10, 28
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    n = max(len(series.days), 1)
    totals = [sum(series.counts[o][i] for o in series.outlets) for i in range(len(series.days))]
    top = nice_max(max(totals, default=0))
    slot = plot_w / n
    bar_w = max(slot * 0.7, 1)
    colours = {o: PALETTE[i % len(PALETTE)] for i, o in enumerate(series.outlets)}
    bars, xlabels = [], []
    label_every = max(1, math.ceil(n / 10))
    for i, day in enumerate(series.days):
        x = left + i * slot + (slot - bar_w) / 2
        y = top_pad + plot_h
        for outlet in series.outlets:
            v = series.counts[outlet][i]
            if not v:
                continue
            h = plot_h * v / top
            y -= h
            bars.append({"x": round(x, 1), "y": round(y, 1), "w": round(bar_w, 1), "h": round(h, 1),
                         "colour": colours[outlet], "title": f"{day.isoformat()} {outlet}: {v}{unit}"})
        if i % label_every == 0 or i == n - 1:
            xlabels.append({"x": round(x + bar_w / 2, 1), "y": height - 10, "text": day.strftime("%m-%d")})
    grid, ylabels = _y_axis(top, top_pad, plot_h, left, width - right)
    return {
        "width": width, "height": height, "bars": bars, "xlabels": xlabels, "ylabels": ylabels, "grid": grid,
        "legend": [{"colour": colours[o], "label": o, "total": sum(series.counts[o])} for o in series.outlets],
        "empty": series.total == 0,
    }


def share_bars(rows: Sequence[dict], *, label_key: str = "status", width: int = 760) -> dict:
    """Horizontal bars with counts and shares (the extraction status mix)."""
    total = sum(int(r["n"]) for r in rows)
    label_w, bar_h, gap, value_w = 130, 18, 6, 120
    plot_w = width - label_w - value_w
    peak = max((int(r["n"]) for r in rows), default=0) or 1
    items = []
    for i, r in enumerate(rows):
        n = int(r["n"])
        label = str(r[label_key])
        items.append({
            "label": label, "n": n, "pct": round(100 * n / total, 1) if total else 0.0,
            "y": i * (bar_h + gap), "w": round(max(plot_w * n / peak, 1), 1), "h": bar_h,
            "x": label_w, "value_x": label_w + round(max(plot_w * n / peak, 1), 1) + 6,
            "colour": STATUS_COLOURS.get(label, PALETTE[i % len(PALETTE)]),
        })
    return {"width": width, "height": max(len(items) * (bar_h + gap), bar_h), "items": items,
            "label_w": label_w, "total": total, "empty": total == 0}


def latency_histogram(rows: Sequence[dict], *, width: int = 760, height: int = 240) -> dict:
    """Grouped bars: fetch count per latency bucket, one bar per fetch kind."""
    left, right, top_pad, bottom = 44, 10, 10, 28
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    kinds = [r["kind"] for r in rows]
    peak = max((v for r in rows for v in r["histogram"]), default=0)
    top = nice_max(peak)
    slot = plot_w / len(LATENCY_BUCKETS)
    inner = slot * 0.8
    bw = inner / max(len(kinds), 1)
    bars, xlabels = [], []
    for b, bucket in enumerate(LATENCY_BUCKETS):
        x0 = left + b * slot + (slot - inner) / 2
        for k, r in enumerate(rows):
            v = r["histogram"][b]
            if not v:
                continue
            h = plot_h * v / top
            bars.append({"x": round(x0 + k * bw, 1), "y": round(top_pad + plot_h - h, 1), "w": round(max(bw - 1, 1), 1),
                         "h": round(h, 1), "colour": KIND_COLOURS.get(r["kind"], PALETTE[k % len(PALETTE)]),
                         "title": f"{r['kind']} {bucket}: {v} fetches"})
        xlabels.append({"x": round(left + b * slot + slot / 2, 1), "y": height - 10, "text": bucket})
    grid, ylabels = _y_axis(top, top_pad, plot_h, left, width - right)
    return {
        "width": width, "height": height, "bars": bars, "xlabels": xlabels, "ylabels": ylabels, "grid": grid,
        "legend": [{"colour": KIND_COLOURS.get(k, PALETTE[i % len(PALETTE)]), "label": k,
                    "total": int(r["n"])} for i, (k, r) in enumerate(zip(kinds, rows))],
        "empty": peak == 0,
    }
