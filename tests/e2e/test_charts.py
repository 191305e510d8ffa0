"""Every kind of chart the dashboard draws, given long labels in English, Chinese and Russian, is laid out by the
browser without a word cut off at its edge or run into another: each text's box, as the browser measures it
(getBBox), lies inside the drawing and overlaps no other text, no colour swatch and no bar. The charts are shown in
the portal's own stylesheets, at full width and at the width they get on a 390 px phone."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from portal.dashboard import charts

pytestmark = pytest.mark.browser

STATIC = Path(settings.BASE_DIR) / "static" / "css"

LONG = {
    "en": [
        "International Lunar Research Station payloads for the Chang'e-7 mission",
        "Scientific instruments on the lunar surface",
        "Brazil",
        "Mission and platform study group of the International Organisation",
    ],
    "zh-hans": [
        "国际月球科研站嫦娥七号任务有效载荷征集",
        "月面科学仪器",
        "巴西",
        "国际组织的任务与平台研究小组及其合作伙伴",
    ],
    "ru": [
        "Полезные нагрузки Международной научной лунной станции для миссии Чанъэ-7",
        "Научные приборы на поверхности Луны",
        "Бразилия",
        "Исследовательская группа по миссиям и платформам международной организации",
    ],
}
SERIES_NAMES = {
    "en": ["Selected", "Waiting list", "Not selected", "Not decided yet, still with the reviewers"],
    "zh-hans": ["入选", "候补名单", "未入选", "尚未决定，仍在评审专家手中"],
    "ru": ["Выбрано", "Лист ожидания", "Не выбрано", "Ещё не решено, у рецензентов"],
}

# What the browser measured of each chart that does not fit: text outside the drawing, or overlapping.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const overlap = (a, b) => Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.5
    && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.5;
  for (const svg of document.querySelectorAll("svg.chart")) {
    const [, , width, height] = svg.getAttribute("viewBox").split(" ").map(Number);
    const texts = [...svg.querySelectorAll("text")].map((text) => [text.textContent, text.getBBox()]);
    const boxes = [...svg.querySelectorAll("rect")].map((rect) => rect.getBBox()).filter((box) => box.width > 0);
    for (const [content, box] of texts) {
      if (box.x < -0.5 || box.y < -0.5 || box.x + box.width > width + 0.5 || box.y + box.height > height + 0.5) {
        const where = `${box.x}, ${box.y}, ${box.width} × ${box.height} in ${width} × ${height}`;
        problems.push(`${svg.id}: "${content}" is cut at the edge (${where})`);
      }
      for (const rect of boxes) {
        if (overlap(box, rect)) problems.push(`${svg.id}: "${content}" runs over a bar or a swatch`);
      }
    }
    texts.forEach(([content, box], index) => {
      for (const [other, otherBox] of texts.slice(index + 1)) {
        if (overlap(box, otherBox)) problems.push(`${svg.id}: "${content}" overlaps "${other}"`);
      }
    });
    const smallest = Math.min(...texts.map(([, box]) => box.height)) * svg.getScreenCTM().a;
    if (texts.length && smallest < 12) problems.push(`${svg.id}: text is drawn ${smallest.toFixed(1)}px high`);
  }
  return problems;
}"""


def charts_for(language):
    """One chart of each kind the dashboard draws, in `language`, with long labels."""
    labels, names = LONG[language], SERIES_NAMES[language]
    with translation.override(language):
        drawn = [
            charts.bar_chart(key="single", title="t", labels=labels, series=[(names[0], [3, 12, 0, 1234])]),
            charts.bar_chart(
                key="outcomes",
                title="t",
                labels=labels,
                series=[(name, [1, 0, 4, 2]) for name in names],
                stacked=True,
                colours=[charts.SELECTED, charts.WAITING_LIST, charts.NOT_SELECTED, charts.UNDECIDED],
            ),
            # The mission budget chart: three series of percentages, all nought for a mission with no payload.
            charts.bar_chart(
                key="budget",
                title="t",
                labels=labels,
                series=[(f"{name}, % budget", [0, 0, 97.5, 140]) for name in names[:3]],
                unit="%",
                limit=100,
                limit_label=names[3],
            ),
            charts.line_chart(
                key="line",
                title="t",
                labels=list(range(2001, 2027)),
                series=[(name, list(range(0, 26 * index + 1, index or 1))[:26]) for index, name in enumerate(names)],
            ),
            charts.bar_chart(key="empty", title="t", labels=[], series=[]),
        ]
    return drawn


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru"])
@pytest.mark.parametrize("width", [400, 358])
def test_chart_text_is_never_cut_or_overlapping(browser_page, language, width):
    styles = "".join(path.read_text(encoding="utf-8") for path in (STATIC / "portal.css", STATIC / "dashboard.css"))
    figures = "".join(
        f'<div class="figure-chart" id="chart-{n}">{svg}</div>' for n, svg in enumerate(charts_for(language))
    )
    browser_page.set_content(
        f'<!doctype html><html lang="{language}"><head><style>{styles}</style></head>'
        f'<body><main><div style="width: {width}px">{figures}</div></main></body></html>'
    )
    for number, svg in enumerate(browser_page.locator("svg.chart").all()):
        svg.evaluate("(svg, id) => { svg.id = id; }", f"chart-{number}")

    assert browser_page.evaluate(LAYOUT_PROBLEMS) == []
    # "Nothing to show." is drawn only for the chart that has nothing.
    assert browser_page.locator("svg.chart text.empty").count() == 1
