"""Charts drawn on the server as inline SVG: nothing to download, nothing fetched from the internet.

Each chart is an image with a title and a description for screen readers; the figures themselves are
in the table printed beside every chart, so the drawing only has to be clear, not complete.

Every chart is drawn for a box WIDTH px wide in one type size (FONT_SIZE) and one palette. The SVG is never
scaled up, and on a 390 px phone it is scaled down to about 358 px, so its text stays at 12.5 px or more.
Text is laid out by its measured width (`text_width`: Chinese and Japanese characters are a full em wide,
Cyrillic and Latin capitals wider than Latin small letters), so labels and legends wrap onto further lines
instead of being cut or running into each other: each label has its own line above its bars, and each
value its own place at the end of its bar.
"""

import math
import unicodedata
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal import formatting

# Okabe–Ito colours, told apart by people with the common colour-vision deficiencies; yellow is left out,
# as it is too pale to see against white.
PALETTE = ("#0072b2", "#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#d55e00", "#000000")
# Outcomes coloured by meaning, the same on every chart: selected blue, waiting list orange, not selected
# vermilion (never green), not yet decided grey.
SELECTED, WAITING_LIST, NOT_SELECTED, UNDECIDED = "#0072b2", "#e69f00", "#d55e00", "#8c8c8c"
INK, MUTED, GRID, LIMIT = "#1b1f24", "#57606a", "#d0d7de", "#b42318"

WIDTH = 400
FONT_SIZE = 14
LINE = 18  # the height of one line of text
SWATCH = 12
BAR = 16  # a bar is taller than its value's text is high
GAP = 6
LABEL_LINES = 2  # a longer label ends in "…" and is given whole in its tooltip and in the table


def char_width(char):
    """The advance of one character in em, a little generous for the system sans-serif fonts the page uses."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if unicodedata.combining(char):
        return 0.0
    if char in "iljI.,:;'|!()[] ":
        return 0.32
    if char in "mwMW@%—":
        return 0.9
    if char.isupper() or "\u0400" <= char <= "\u04ff":
        # Cyrillic small letters are about as wide as Latin capitals.
        return 0.7
    return 0.6


def text_width(text, size=FONT_SIZE):
    """The width in px that `text` takes at `size`."""
    return sum(char_width(char) for char in str(text)) * size


def wrap(text, width, max_lines=LABEL_LINES):
    """`text` broken into lines no wider than `width`: between words, or between any two characters of a
    language written without spaces; the last line ends in "…" when the text is longer still."""
    text = str(text)
    lines, line = [], ""
    tokens = []
    for word in text.split(" "):
        if any(unicodedata.east_asian_width(char) in ("W", "F") for char in word) or text_width(word) > width:
            tokens.extend(word)  # a character at a time
            tokens.append(" ")
        else:
            tokens.extend([word, " "])
    for token in tokens[:-1]:
        candidate = line + token
        if line and text_width(candidate.rstrip()) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…") > width:
            last = last[:-1]
        lines = lines[: max_lines - 1] + [last.rstrip() + "…"]
    return lines or [""]


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


def _text(x, y, text, *, css_class, anchor="start", fill=INK, tooltip=None):
    if tooltip:
        return format_html(
            '<text x="{}" y="{}" text-anchor="{}" fill="{}" class="{}"><title>{}</title>{}</text>',
            round(x, 1),
            round(y, 1),
            anchor,
            fill,
            css_class,
            tooltip,
            text,
        )
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" fill="{}" class="{}">{}</text>',
        round(x, 1),
        round(y, 1),
        anchor,
        fill,
        css_class,
        text,
    )


def _lines(x, top, lines, *, css_class, tooltip=None):
    """Lines of text, the first with its baseline at `top` + 14; returns the pieces."""
    whole = " ".join(lines)
    return [
        _text(x, top + 14 + LINE * number, line, css_class=css_class, tooltip=tooltip if tooltip != whole else None)
        for number, line in enumerate(lines)
    ]


def _svg(key, title, description, height, body):
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="chart-{key}-title chart-{key}-desc" '
        'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-size="{size}" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-{key}-title">{title}</title><desc id="chart-{key}-desc">{description}</desc>{body}</svg>',
        key=key,
        width=WIDTH,
        height=round(height),
        size=FONT_SIZE,
        title=title,
        description=description,
        # Every piece was escaped by format_html as it was built.
        body=mark_safe("".join(body)),
    )


def _legend(series, colours, top):
    """One swatch per series, as many to a row as fit; a name too long for a row wraps. Returns the SVG
    pieces and the height used."""
    if len(series) < 2:
        return [], 0
    pieces, x, y, row_height = [], 0.0, top, LINE
    for (name, _values), colour in zip(series, colours, strict=True):
        lines = wrap(name, WIDTH - SWATCH - GAP, max_lines=3)
        item = SWATCH + GAP + max(text_width(line) for line in lines)
        if x and x + item > WIDTH:
            x, y, row_height = 0.0, y + row_height + 4, LINE
        pieces.append(
            format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>', x, y + 3, SWATCH, SWATCH, colour)
        )
        pieces += _lines(x + SWATCH + GAP, y, lines, css_class="legend")
        row_height = max(row_height, LINE * len(lines))
        x += item + 16
    return pieces, y + row_height - top + 8


def _empty(key, title, message=None):
    return _svg(
        key,
        title,
        _("No figures for the chosen filters."),
        LINE + 12,
        [_text(0, 20, message or _("Nothing to show."), css_class="empty")],
    )


def _scale(top, x_of, ticks, unit, right_edge):
    """Tick labels along the top of the plot, those that would run into a neighbour left out."""
    pieces, last_end = [], -math.inf
    for position, value in enumerate(ticks):
        label = format_value(value, unit)
        width = text_width(label)
        x = x_of(value)
        anchor, start = ("start", x) if position == 0 else ("middle", x - width / 2)
        if position == len(ticks) - 1:
            anchor, start = "end", x - width
        start = max(start, 0)
        if start < last_end + 8 or start + width > right_edge:
            continue
        last_end = start + width
        pieces.append(_text(x, top + 14, label, css_class="tick", anchor=anchor, fill=MUTED))
    return pieces


def bar_chart(
    *, key, title, labels, series, stacked=False, unit="", limit=None, limit_label="", colours=None, empty=None
):
    """Horizontal bars, one group per label with the label on its own line above; several series are drawn
    one under the other, or stacked.

    `series` is a list of (name, values) with one value per label; `colours` one colour per series when
    the series have a meaning of their own (outcomes). `limit` draws a vertical line, e.g. a budget at
    100 %, and the scale always reaches it. `empty` says why there is nothing to draw.
    """
    labels = list(labels)
    series = [(name, [_number(value) for value in values]) for name, values in series]
    if not labels or not series:
        return _empty(key, title, empty)
    colours = list(colours or [PALETTE[index % len(PALETTE)] for index in range(len(series))])
    if stacked:
        totals = [sum(values[i] for _name, values in series) for i in range(len(labels))]
        largest, shown_values = max(totals), totals
    else:
        largest = max(max(values) for _name, values in series)
        shown_values = [value for _name, values in series for value in values]
    scale_max = nice_ceiling(max(largest, _number(limit)))
    value_room = max(text_width(format_value(value, unit)) for value in shown_values) + GAP + 2
    plot = WIDTH - value_room

    def x_of(value):
        return round(plot * value / scale_max, 1)

    pieces, top = _legend(series, colours, 0)
    ticks = tick_values(scale_max)
    pieces += _scale(top, x_of, ticks, unit, WIDTH)
    top += LINE + 4
    grid_top = top
    rows = []
    for index, label in enumerate(labels):
        lines = wrap(label, WIDTH)
        rows += _lines(0, top, lines, css_class="label", tooltip=str(label))
        top += LINE * len(lines) + 2
        offset = 0.0
        for position, (name, values) in enumerate(series):
            value = values[index]
            x = x_of(offset) if stacked else 0
            width = max(round(plot * value / scale_max, 1) - (1 if stacked and value else 0), 0)
            shown = format_value(value, unit)
            tooltip = f"{label} — {name}: {shown}" if len(series) > 1 else f"{label}: {shown}"
            rows.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" class="bar"><title>{}</title></rect>',
                    x,
                    top,
                    width,
                    BAR,
                    colours[position],
                    tooltip,
                )
            )
            if stacked:
                offset += value
            else:
                rows.append(_text(x + width + 4, top + BAR - 3, shown, css_class="value"))
                top += BAR + 2
        if stacked:
            rows.append(_text(x_of(offset) + 4, top + BAR - 3, format_value(offset, unit), css_class="value"))
            top += BAR + 2
        top += 8
    bottom = top
    for value in ticks:
        pieces.append(
            format_html(
                '<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{}" class="grid"/>',
                GRID,
                x=x_of(value),
                y1=grid_top - 2,
                y2=bottom - 6,
            )
        )
    pieces += rows
    if limit is not None:
        x = x_of(_number(limit))
        pieces.append(
            format_html(
                '<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{}" stroke-width="2" '
                'stroke-dasharray="4 3" class="limit"/>',
                LIMIT,
                x=x,
                y1=grid_top - 2,
                y2=bottom + 4,
            )
        )
        # The line's name under it, beside the line where it fits, else moved in from the edge, else wrapped.
        for line in wrap(limit_label, WIDTH, max_lines=3):
            width = text_width(line)
            start = x + 4 if x + 4 + width <= WIDTH else max(0, min(x - 4 - width, WIDTH - width))
            pieces.append(_text(start, bottom + 16, line, css_class="limit-label", fill=LIMIT))
            bottom += LINE
        bottom += 4
    kind = _("stacked bar chart") if stacked and len(series) > 1 else _("bar chart")
    description = _("%(kind)s; the table beside it gives every figure.") % {"kind": kind}
    return _svg(key, title, description.capitalize(), bottom, pieces)


def line_chart(*, key, title, labels, series, unit="", colours=None):
    """Lines over ordered categories (years), one per series, each point carrying its value."""
    labels = [str(label) for label in labels]
    series = [(name, [_number(value) for value in values]) for name, values in series]
    if not labels or not series:
        return _empty(key, title)
    colours = list(colours or [PALETTE[index % len(PALETTE)] for index in range(len(series))])
    largest = max(max(values) for _name, values in series)
    scale_max = nice_ceiling(largest)
    ticks = tick_values(scale_max)
    left = max(max(text_width(format_value(value, unit)) for value in ticks) + 8, text_width(labels[0]) / 2 + 2)
    right, plot_height = max(16, text_width(labels[-1]) / 2 + 2), 180
    pieces, top = _legend(series, colours, 0)
    top += 10
    height = top + plot_height + LINE + 18
    plot_width = WIDTH - left - right
    step = plot_width / max(len(labels) - 1, 1)

    def x_of(index):
        return round(left + (step * index if len(labels) > 1 else plot_width / 2), 1)

    def y_of(value):
        return round(top + plot_height - plot_height * value / scale_max, 1)

    for value in ticks:
        pieces.append(
            format_html(
                '<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" class="grid"/>',
                left,
                WIDTH - right,
                GRID,
                y=y_of(value),
            )
        )
        pieces.append(
            _text(left - 6, y_of(value) + 5, format_value(value, unit), css_class="tick", anchor="end", fill=MUTED)
        )
    # As many labels along the bottom as fit side by side, always the first and the last.
    widest = max(text_width(label) for label in labels) + 10
    every = max(1, math.ceil(widest / step)) if len(labels) > 1 else 1
    marked = [index for index in range(len(labels)) if index % every == 0]
    if marked[-1] != len(labels) - 1:
        if len(marked) > 1 and x_of(len(labels) - 1) - x_of(marked[-1]) < widest:
            marked.pop()
        marked.append(len(labels) - 1)
    for index in marked:
        pieces.append(
            _text(
                x_of(index), top + plot_height + LINE + 8, labels[index], css_class="tick", anchor="middle", fill=MUTED
            )
        )
    for (name, values), colour in zip(series, colours, strict=True):
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
