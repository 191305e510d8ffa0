"""Charts drawn on the server as inline SVG: nothing to download, nothing fetched from the internet.

Each chart is an image with a title and a description for screen readers; the figures themselves are
in the table printed beside every chart, so the drawing only has to be clear, not complete.
"""

import math
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal import formatting

# Okabe–Ito colours, told apart by people with the common colour-vision deficiencies.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 70
LABEL_CHARS = 30


def nice_ceiling(value):
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value`, so the scale's ticks are round numbers."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def tick_values(scale_max):
    """Round tick positions from zero to the top of the scale: whole steps for small counts."""
    if scale_max <= 5 and float(scale_max).is_integer():
        return list(range(int(scale_max) + 1))
    leading = round(scale_max / 10 ** math.floor(math.log10(scale_max)))
    parts = 4 if leading == 2 else 5
    return [scale_max * part / parts for part in range(parts + 1)]


def _number(value):
    if value is None:
        return 0.0
    return float(value)


def format_value(value, unit=""):
    """A figure as shown on a chart, in the language's notation: whole numbers plainly, others with one decimal."""
    number = _number(value)
    text = formatting.number(number, 0 if number == int(number) else 1)
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def _short(label):
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _svg(key, title, description, height, body):
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="chart-{key}-title chart-{key}-desc" '
        'viewBox="0 0 {width} {height}" width="100%" font-size="12" xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-{key}-title">{title}</title><desc id="chart-{key}-desc">{description}</desc>{body}</svg>',
        key=key,
        width=WIDTH,
        height=height,
        title=title,
        description=description,
        # Every piece was escaped by format_html as it was built.
        body=mark_safe("".join(body)),
    )


def _legend(series, top):
    """One swatch per series, in a row above the chart; returns the SVG pieces and the height used."""
    if len(series) < 2:
        return [], 0
    pieces, x = [], LABEL_WIDTH
    for index, (name, _values) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        pieces.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}" class="legend">{}</text>',
                x,
                top,
                colour,
                x + 16,
                top + 10,
                name,
            )
        )
        x += 16 + 7 * len(str(name)) + 18
    return pieces, 22


def _empty(key, title):
    return _svg(
        key,
        title,
        _("No figures for the chosen filters."),
        40,
        [format_html('<text x="{}" y="24" class="empty">{}</text>', LABEL_WIDTH, _("Nothing to show."))],
    )


def bar_chart(*, key, title, labels, series, stacked=False, unit="", limit=None, limit_label=""):
    """Horizontal bars, one row per label; several series are drawn side by side, or stacked.

    `series` is a list of (name, values) with one value per label. `limit` draws a vertical line,
    e.g. a budget at 100 %, and the scale always reaches it.
    """
    labels = list(labels)
    series = [(name, [_number(value) for value in values]) for name, values in series]
    if not labels or not series:
        return _empty(key, title)
    if stacked:
        largest = max(sum(values[i] for _name, values in series) for i in range(len(labels)))
    else:
        largest = max(max(values) for _name, values in series)
    scale_max = nice_ceiling(max(largest, _number(limit)))
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bar = 16 if stacked or len(series) == 1 else 10
    row = bar + 8 if stacked or len(series) == 1 else bar * len(series) + 8
    legend, top = _legend(series, 4)
    top += 18
    height = top + row * len(labels) + 6

    def x_of(value):
        return round(LABEL_WIDTH + plot * value / scale_max, 1)

    pieces = list(legend)
    for value in tick_values(scale_max):
        pieces.append(
            format_html(
                '<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="#d0d7de" class="grid"/>'
                '<text x="{x}" y="{ty}" text-anchor="middle" fill="#57606a" class="tick">{label}</text>',
                x=x_of(value),
                y1=top - 4,
                y2=height - 4,
                ty=top - 7,
                label=format_value(value, unit),
            )
        )
    for index, label in enumerate(labels):
        y = top + index * row
        pieces.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="label"><title>{}</title>{}</text>',
                LABEL_WIDTH - 6,
                y + (row - 8) / 2 + 4,
                label,
                _short(label),
            )
        )
        offset = 0.0
        for position, (name, values) in enumerate(series):
            value = values[index]
            colour = PALETTE[position % len(PALETTE)]
            if stacked:
                x, bar_y = x_of(offset), y
                offset += value
            else:
                x, bar_y = LABEL_WIDTH, y + position * bar
            width = round(plot * value / scale_max, 1)
            shown = format_value(value, unit)
            tooltip = f"{label} — {name}: {shown}" if len(series) > 1 else f"{label}: {shown}"
            pieces.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" class="bar"><title>{}</title></rect>',
                    x,
                    bar_y,
                    width,
                    bar - 1,
                    colour,
                    tooltip,
                )
            )
            if not stacked:
                pieces.append(
                    format_html(
                        '<text x="{}" y="{}" class="value">{}</text>',
                        round(x + width + 4, 1),
                        bar_y + bar - 3,
                        format_value(value, unit),
                    )
                )
        if stacked:
            pieces.append(
                format_html(
                    '<text x="{}" y="{}" class="value">{}</text>',
                    round(x_of(offset) + 4, 1),
                    y + bar - 3,
                    format_value(offset, unit),
                )
            )
    if limit is not None:
        x = x_of(_number(limit))
        pieces.append(
            format_html(
                '<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="#b42318" stroke-width="2" '
                'stroke-dasharray="4 3" class="limit"/>'
                '<text x="{tx}" y="{y2}" fill="#b42318" class="limit-label">{label}</text>',
                x=x,
                tx=round(x + 3, 1),
                y1=top - 4,
                y2=height - 2,
                label=limit_label,
            )
        )
    kind = _("stacked bar chart") if stacked and len(series) > 1 else _("bar chart")
    description = _("%(kind)s; the table beside it gives every figure.") % {"kind": kind}
    return _svg(key, title, description.capitalize(), height, pieces)


def line_chart(*, key, title, labels, series, unit=""):
    """Lines over ordered categories (years), one per series, each point carrying its value."""
    labels = [str(label) for label in labels]
    series = [(name, [_number(value) for value in values]) for name, values in series]
    if not labels or not series:
        return _empty(key, title)
    largest = max(max(values) for _name, values in series)
    scale_max = nice_ceiling(largest)
    left, right, bottom = 60, 20, 30
    legend, top = _legend(series, 4)
    top += 12
    height = top + 220 + bottom
    plot_width, plot_height = WIDTH - left - right, 220
    step = plot_width / max(len(labels) - 1, 1)

    def x_of(index):
        return round(left + (step * index if len(labels) > 1 else plot_width / 2), 1)

    def y_of(value):
        return round(top + plot_height - plot_height * value / scale_max, 1)

    pieces = list(legend)
    for value in tick_values(scale_max):
        pieces.append(
            format_html(
                '<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#d0d7de" class="grid"/>'
                '<text x="{}" y="{ty}" text-anchor="end" fill="#57606a" class="tick">{}</text>',
                left,
                WIDTH - right,
                left - 6,
                format_value(value, unit),
                y=y_of(value),
                ty=round(y_of(value) + 4, 1),
            )
        )
    every = max(1, math.ceil(len(labels) / 12))
    for index, label in enumerate(labels):
        if index % every == 0 or index == len(labels) - 1:
            pieces.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" fill="#57606a" class="tick">{}</text>',
                    x_of(index),
                    top + plot_height + 18,
                    label,
                )
            )
    for position, (name, values) in enumerate(series):
        colour = PALETTE[position % len(PALETTE)]
        points = " ".join(f"{x_of(i)},{y_of(value)}" for i, value in enumerate(values))
        pieces.append(
            format_html('<polyline points="{}" stroke="{}" stroke-width="2" fill="none" class="line"/>', points, colour)
        )
        for index, value in enumerate(values):
            pieces.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3.5" fill="{}" class="point"><title>{}</title></circle>',
                    x_of(index),
                    y_of(value),
                    colour,
                    f"{labels[index]} — {name}: {format_value(value, unit)}",
                )
            )
    description = _("Line chart over time; the table beside it gives every figure.")
    return _svg(key, title, description, height, pieces)


def percent(part, whole):
    """`part` as a percentage of `whole`, one decimal; None when there is no whole to compare with."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"))
