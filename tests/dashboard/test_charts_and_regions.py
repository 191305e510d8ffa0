"""Server-drawn SVG charts and the grouping of countries into regions."""

import re

from django_countries.data import COUNTRIES

from portal.dashboard import regions
from portal.dashboard.charts import bar_chart, format_value, line_chart, nice_ceiling, percent, tick_values


def test_every_iso_country_belongs_to_exactly_one_region():
    listed = [code for codes in regions._M49.values() for code in codes.split()]

    assert len(listed) == len(set(listed)), "a country is in two regions"
    assert set(COUNTRIES) == set(listed)


def test_regions_of_the_programmes_partners():
    assert [regions.region_of(code) for code in ("CN", "RU", "ZA", "VE", "AZ", "NZ", "AQ", "")] == [
        "asia",
        "europe",
        "africa",
        "americas",
        "asia",
        "oceania",
        "antarctica",
        "international",
    ]
    assert regions.region_of("XX") == "unknown"


def test_bar_chart_draws_one_bar_per_value_with_accessible_names():
    svg = bar_chart(key="k", title="Partners by country", labels=["Egypt", "Chile"], series=[("Partners", [3, 1])])

    assert svg.startswith('<svg class="chart" role="img" aria-labelledby="chart-k-title chart-k-desc"')
    assert '<title id="chart-k-title">Partners by country</title>' in svg
    assert svg.count('class="bar"') == 2
    assert "<title>Egypt: 3</title>" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing to fetch


def test_bar_widths_follow_the_values():
    svg = bar_chart(key="k", title="t", labels=["a", "b"], series=[("n", [10, 5])])

    widths = [float(width) for width in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1]


def test_stacked_bars_and_a_limit_line():
    svg = bar_chart(
        key="k",
        title="t",
        labels=["Lander"],
        series=[("Mass", [40]), ("Power", [130])],
        stacked=True,
        unit="%",
        limit=100,
        limit_label="budget",
    )

    assert svg.count('class="bar"') == 2
    assert 'class="limit"' in svg and ">budget<" in svg
    assert ">170%<" in svg  # the total at the end of the stack


def test_labels_are_escaped():
    svg = bar_chart(key="k", title="<b>", labels=["<script>alert(1)</script>"], series=[("n", [1])])

    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_line_chart_has_a_point_per_year_and_series():
    svg = line_chart(
        key="j", title="Joins", labels=[2021, 2022, 2023], series=[("Joined", [1, 0, 3]), ("All", [1, 1, 4])]
    )

    assert svg.count("<polyline") == 2
    assert svg.count('class="point"') == 6
    assert "<title>2023 — All: 4</title>" in svg


def test_empty_chart_says_so():
    assert "Nothing to show." in bar_chart(key="e", title="t", labels=[], series=[("n", [])])
    assert "Nothing to show." in line_chart(key="e", title="t", labels=[], series=[])


def test_scale_and_formatting_helpers():
    assert [nice_ceiling(v) for v in (0, 3, 7, 10, 11, 180, 2600)] == [1, 5, 10, 10, 20, 200, 5000]
    assert format_value(1234) == "1,234" and format_value(2.5, "kg") == "2.5 kg" and format_value(50, "%") == "50%"
    assert str(percent(2, 3)) == "66.7" and percent(1, 0) is None


def test_names_in_every_script_are_kept():
    svg = bar_chart(key="k", title="Участники", labels=["深空探测实验室", "مصر"], series=[("n", [1, 2])])

    assert all(text in svg for text in ("Участники", "深空探测实验室", "مصر"))


def test_scales_tick_at_round_numbers_and_small_counts_at_whole_ones():
    assert tick_values(2) == [0, 1, 2]
    assert tick_values(5) == [0, 1, 2, 3, 4, 5]
    assert tick_values(20) == [0, 5, 10, 15, 20]
    assert tick_values(50) == [0, 10, 20, 30, 40, 50]
    assert tick_values(100) == [0, 20, 40, 60, 80, 100]
