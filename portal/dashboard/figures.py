"""The dashboard's figures: each a titled table with a chart drawn from it, built from the selectors' rows.

A figure's rows are what its table shows and what its CSV or Excel file holds; the chart only draws them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from numbers import Number

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from partners.choices import Area, CooperationLevel, OrganisationKind
from partners.models import Organisation, Registration
from portal.i18n import in_reader_language
from portal.units import KILOGRAM, MEGABYTES_PER_DAY, WATT
from proposals import phases

from . import regions, selectors
from .caching import cached
from .charts import NOT_SELECTED, SELECTED, UNDECIDED, WAITING_LIST, bar_chart, line_chart, percent

TOP = 20
TABLE_LIMIT = 50


@dataclass
class Figure:
    key: str
    title: str
    columns: list
    rows: list
    chart: str = ""
    note: str = ""
    table_limit: int | None = None

    def table_rows(self):
        """The rows the page prints, each cell with whether it is a number (aligned right)."""
        rows = self.rows[: self.table_limit] if self.table_limit else self.rows
        return [[(cell, isinstance(cell, Number)) for cell in row] for row in rows]

    @property
    def is_wide(self):
        """A table of many columns goes under its chart rather than beside it."""
        return len(self.columns) > 4


@dataclass
class Section:
    key: str
    title: str
    intro: str
    figures: list = field(default_factory=list)

    def figure(self, key):
        return next((figure for figure in self.figures if figure.key == key), None)


def country_label(code):
    return countries.name(code) if code else str(_("International organisation (no country)"))


def kind_label(kind):
    return OrganisationKind(kind).label if kind in OrganisationKind.values else kind


def _top_note(rows, what):
    if len(rows) <= TOP:
        return ""
    return _("The chart shows the %(top)s %(what)s with the most; the table lists all %(count)s.") % {
        "top": TOP,
        "what": what,
        "count": len(rows),
    }


# Partners ---------------------------------------------------------------------------------------


def partner_section(scope):
    groups = selectors.organisation_groups(scope)
    by_country, by_kind, by_year, first_year = _count_organisations(groups)
    by_status = Counter()
    for row in groups:
        by_status[row["status"]] += row["count"]

    kind_rows = [[label, by_kind[kind]] for kind, label in OrganisationKind.choices]
    status_rows = [[label, by_status[status]] for status, label in Organisation.Status.choices]
    figures = [
        _country_figure("partners_by_country", _("Partner organisations by country"), _("Organisations"), by_country),
        _region_figure("partners_by_region", by_country),
        _simple("partners_by_kind", _("Partner organisations by kind"), _("Kind"), kind_rows),
        _joins_figure("partner_joins", _("Partners joining per year"), by_year, first_year),
        _simple("partners_by_status", _("Active and suspended partners"), _("Status"), status_rows),
        _registrations_figure(selectors.open_registrations()),
    ]
    return Section(
        "partners",
        _("Partners"),
        _("Partner organisations (with the year filter: those that joined in that year) and applications waiting."),
        figures,
    )


def _simple(key, title, label_heading, rows, value_heading=None, note=""):
    value_heading = value_heading or _("Organisations")
    return Figure(
        key,
        title,
        [label_heading, value_heading],
        rows,
        bar_chart(
            key=key, title=title, labels=[row[0] for row in rows], series=[(value_heading, [r[1] for r in rows])]
        ),
        note,
    )


def _country_figure(key, title, heading, by_country):
    rows = sorted(
        ([country_label(code), regions.region_label(regions.region_of(code)), n] for code, n in by_country.items()),
        key=lambda row: (-row[2], row[0]),
    )
    shown = rows[:TOP]
    return Figure(
        key,
        title,
        [_("Country"), _("Region"), heading],
        rows,
        bar_chart(
            key=key, title=title, labels=[row[0] for row in shown], series=[(heading, [row[2] for row in shown])]
        ),
        _top_note(rows, _("countries")),
    )


def _region_figure(key, by_country):
    """Organisations and countries per M49 region, from organisations counted per country."""
    organisations, country_count = Counter(), Counter()
    for code, count in by_country.items():
        region = regions.region_of(code)
        organisations[region] += count
        country_count[region] += 1 if code else 0
    rows = [
        [regions.region_label(region), organisations[region], country_count[region]]
        for region in regions.REGION_LABELS
        if organisations[region]
    ]
    title = _("Organisations and countries by region")
    return Figure(
        key,
        title,
        [_("Region"), _("Organisations"), _("Countries")],
        rows,
        bar_chart(
            key=key,
            title=title,
            labels=[row[0] for row in rows],
            series=[(_("Organisations"), [row[1] for row in rows]), (_("Countries"), [row[2] for row in rows])],
        ),
        _("Regions are the continental regions of the UN M49 standard."),
    )


def _joins_figure(key, title, by_year, first_year):
    rows = []
    if by_year:
        countries_from = Counter(first_year.values())
        total = countries_total = 0
        for year in range(min(by_year), max(by_year) + 1):
            total += by_year[year]
            countries_total += countries_from[year]
            rows.append([year, by_year[year], total, countries_total])
    return Figure(
        key,
        title,
        [_("Year"), _("Joined that year"), _("Partners in all"), _("Countries in all")],
        rows,
        line_chart(
            key=key,
            title=title,
            labels=[row[0] for row in rows],
            series=[
                (_("Joined that year"), [row[1] for row in rows]),
                (_("Partners in all"), [row[2] for row in rows]),
                (_("Countries in all"), [row[3] for row in rows]),
            ],
        ),
    )


def _registrations_figure(open_registrations):
    now = timezone.now()
    rows = []
    for status in selectors.OPEN_REGISTRATION_STATUSES:
        row = open_registrations.get(status)
        if row is None:
            rows.append([Registration.Status(status).label, 0, 0, 0, 0, None])
            continue
        rows.append(
            [
                Registration.Status(status).label,
                row["count"],
                row["under_week"],
                row["under_month"],
                row["over_month"],
                (now - row["oldest"]).days,
            ]
        )
    title = _("Applications waiting, by how long")
    return Figure(
        "pending_registrations",
        title,
        [
            _("Status"),
            _("Applications"),
            _("Under a week"),
            _("1 to 4 weeks"),
            _("Over 4 weeks"),
            _("Longest wait (days)"),
        ],
        rows,
        bar_chart(
            key="pending_registrations",
            title=title,
            labels=[row[0] for row in rows],
            series=[
                (_("Under a week"), [row[2] for row in rows]),
                (_("1 to 4 weeks"), [row[3] for row in rows]),
                (_("Over 4 weeks"), [row[4] for row in rows]),
            ],
            stacked=True,
        ),
        _(
            "Waiting since the application entered the review queue, or since it was sent if the email is "
            "still unverified."
        ),
    )


# Proposals --------------------------------------------------------------------------------------


def proposal_section(scope, calls=None, groups=None):
    calls = selectors.call_figures(scope) if calls is None else calls
    groups = selectors.proposal_groups(scope) if groups is None else groups

    call_rows = [
        [
            in_reader_language(call, "title"),
            in_reader_language(call, "mission__name"),
            call["letters"],
            call["full"],
            call["withdrawn"],
            call["drafts"],
        ]
        for call in calls
    ]
    title = _("Proposals per call and stage")
    figures = [
        Figure(
            "proposals_by_call",
            title,
            [_("Call"), _("Mission"), _("Letters of intent"), _("Full proposals"), _("Withdrawn"), _("Drafts")],
            call_rows,
            bar_chart(
                key="proposals_by_call",
                title=title,
                labels=[row[0] for row in call_rows],
                series=[
                    (_("Letters of intent"), [row[2] for row in call_rows]),
                    (_("Full proposals"), [row[3] for row in call_rows]),
                    (_("Withdrawn"), [row[4] for row in call_rows]),
                    (_("Drafts"), [row[5] for row in call_rows]),
                ],
                stacked=True,
            ),
            _("Letters and full proposals count those submitted; a withdrawn proposal counts once, as withdrawn."),
        )
    ]

    by_country, by_kind, by_level = Counter(), Counter(), Counter()
    for row in groups:
        by_country[row["organisation__country"]] += row["count"]
        by_kind[row["organisation__kind"]] += row["count"]
        by_level[row["cooperation_level"]] += row["count"]
    figures.append(
        _country_figure(
            "proposals_by_country",
            _("Submitted proposals by country of the lead organisation"),
            _("Proposals"),
            by_country,
        )
    )
    kind_rows = [[label, by_kind[kind]] for kind, label in OrganisationKind.choices]
    figures.append(
        _simple(
            "proposals_by_kind",
            _("Submitted proposals by kind of lead organisation"),
            _("Kind"),
            kind_rows,
            _("Proposals"),
        )
    )

    team_rows = [
        [ngettext("%(count)s country", "%(count)s countries", countries_) % {"count": countries_}, count]
        for countries_, count in selectors.team_country_counts(scope)
    ]
    figures.append(
        _simple(
            "team_countries",
            _("International teams: countries per team"),
            _("Countries on the team"),
            team_rows,
            _("Proposals"),
            _(
                "The lead organisation's country and those of the co-investigators; an international organisation "
                "adds no country of its own."
            ),
        )
    )

    areas = selectors.proposal_areas(scope)
    area_rows = [[label, areas[area] or 0] for area, label in Area.choices]
    figures.append(
        _simple(
            "proposals_by_area",
            _("Submitted proposals by area"),
            _("Area"),
            area_rows,
            _("Proposals"),
            _("A proposal names one or more areas, so the counts add up to more than the proposals."),
        )
    )
    level_rows = [[label, by_level[level]] for level, label in CooperationLevel.choices]
    if by_level[""]:
        level_rows.append([str(_("Not stated")), by_level[""]])
    figures.append(
        _simple(
            "proposals_by_level",
            _("Submitted proposals by level of cooperation"),
            _("Level"),
            level_rows,
            _("Proposals"),
        )
    )
    return Section(
        "proposals",
        _("Proposals"),
        _(
            "Submitted letters of intent and full proposals of the calls in scope; drafts and withdrawn "
            "proposals appear only in the table per call."
        ),
        figures,
    )


# Outcomes ---------------------------------------------------------------------------------------


def _selection_rows(counts, label=str):
    """[label, submitted, selected, waiting list, not selected, not decided, rate] from
    {key: (submitted, selected, selectable, not selected)}."""
    rows = [
        [
            label(key),
            submitted,
            selected,
            selectable,
            not_selected,
            submitted - selected - selectable - not_selected,
            percent(selected, submitted),
        ]
        for key, (submitted, selected, selectable, not_selected) in counts.items()
        if submitted
    ]
    return sorted(rows, key=lambda row: (-row[1], str(row[0])))


def _selection_figure(key, title, heading, rows, what, note=""):
    shown = rows[:TOP]
    labels = [row[0] for row in shown]
    return Figure(
        key,
        title,
        [
            heading,
            _("Submitted"),
            _("Selected"),
            _("Waiting list"),
            _("Not selected"),
            _("Not decided yet"),
            _("Selection rate (%)"),
        ],
        rows,
        bar_chart(
            key=key,
            title=title,
            labels=labels,
            series=[
                (_("Selected"), [row[2] for row in shown]),
                (_("Waiting list"), [row[3] for row in shown]),
                (_("Not selected"), [row[4] for row in shown]),
                (_("Not decided yet"), [row[5] for row in shown]),
            ],
            stacked=True,
            colours=[SELECTED, WAITING_LIST, NOT_SELECTED, UNDECIDED],
        ),
        " ".join(str(text) for text in (note, _top_note(rows, what)) if text),
    )


def outcome_section(scope, calls=None, groups=None):
    calls = selectors.call_figures(scope) if calls is None else calls
    groups = selectors.proposal_groups(scope) if groups is None else groups
    by_country, by_kind = defaultdict(lambda: [0, 0, 0, 0]), defaultdict(lambda: [0, 0, 0, 0])
    for row in groups:
        for target, key in ((by_country, row["organisation__country"]), (by_kind, row["organisation__kind"])):
            target[key][0] += row["count"]
            target[key][1] += row["selected"]
            target[key][2] += row["selectable"]
            target[key][3] += row["not_selected"]
    rate_note = _("Selection rate: selected proposals out of those submitted.")
    figures = [
        _selection_figure(
            "selection_by_country",
            _("Selection by country of the lead organisation"),
            _("Country"),
            _selection_rows(by_country, country_label),
            _("countries"),
            rate_note,
        ),
        _selection_figure(
            "selection_by_kind",
            _("Selection by kind of lead organisation"),
            _("Kind"),
            _selection_rows(by_kind, kind_label),
            _("kinds"),
        ),
        _selection_figure(
            "selection_by_call",
            _("Selection by call"),
            _("Call"),
            _selection_rows(
                {
                    in_reader_language(call, "title"): (
                        call["submitted"],
                        call["selected"],
                        call["selectable"],
                        call["not_selected"],
                    )
                    for call in calls
                }
            ),
            _("calls"),
        ),
    ]
    figures.extend(_commitment_figures(selectors.platform_commitments(scope)))
    return Section(
        "outcomes",
        _("Outcomes"),
        _("Decisions on submitted proposals, and what the selected payloads take of each platform's budgets."),
        figures,
    )


RESOURCES = (
    ("mass", "total_mass_kg", _("Mass"), KILOGRAM),
    ("power", "total_average_power_w", _("Average power"), WATT),
    ("data", "total_data_mb_per_day", _("Data"), MEGABYTES_PER_DAY),
)


def _resource_columns():
    columns = [_("Selected payloads")]
    for _name, _budget, label, unit in RESOURCES:
        columns += [f"{label} ({unit})", _("%(resource)s budget (%(unit)s)") % {"resource": label, "unit": unit}]
    return columns


def _resource_cells(totals):
    cells = [totals["payloads"]]
    for name, budget, *_rest in RESOURCES:
        cells += [totals[name], totals[budget]]
    return cells


def _budget_chart(key, title, labels, totals, empty=None):
    return bar_chart(
        empty=empty,
        key=key,
        title=title,
        labels=labels,
        series=[
            (_("%(resource)s, %% of budget") % {"resource": label}, [percent(t[name], t[budget]) or 0 for t in totals])
            for name, budget, label, _unit in RESOURCES
        ],
        unit="%",
        limit=100,
        limit_label=_("budget"),
    )


def _commitment_figures(platforms):
    platform_rows, platform_totals, missions = [], [], {}
    for platform in platforms:
        totals = {"payloads": platform["payloads"]}
        for name, budget, *_rest in RESOURCES:
            totals[name] = platform[name] or Decimal(0)
            totals[budget] = platform[budget]
        platform_totals.append(totals)
        platform_rows.append(
            [
                in_reader_language(platform, "call__mission__name"),
                platform["call__reference"],
                in_reader_language(platform, "name"),
                *_resource_cells(totals),
            ]
        )
        # Platforms come in mission order, so the missions keep it.
        missions.setdefault(in_reader_language(platform, "call__mission__name"), Counter()).update(totals)
    title = _("Selected payloads per platform against its budgets")
    charted = [(row, totals) for row, totals in zip(platform_rows, platform_totals, strict=True) if totals["payloads"]]
    charted = charted[:TOP]
    by_platform = Figure(
        "commitments_by_platform",
        title,
        [_("Mission"), _("Call"), _("Platform"), *_resource_columns()],
        platform_rows,
        _budget_chart(
            "commitments_by_platform",
            title,
            [f"{row[2]} ({row[1]})" for row, _totals in charted],
            [totals for _row, totals in charted],
            empty=_("No payload selected yet; the table lists every platform offered."),
        ),
        _(
            "Mass, average power and data volume of the selected payloads, added up, against the platform's "
            "totals. The chart shows the first %(top)s platforms with payloads selected; the table lists every one."
        )
        % {"top": TOP},
    )
    title = _("Selected payloads per mission against the budgets offered")
    by_mission = Figure(
        "commitments_by_mission",
        title,
        [_("Mission"), *_resource_columns()],
        [[mission, *_resource_cells(totals)] for mission, totals in missions.items()],
        _budget_chart("commitments_by_mission", title, list(missions), list(missions.values())),
    )
    return [by_mission, by_platform]


# Peer review ------------------------------------------------------------------------------------


def review_section(scope):
    progress = selectors.review_progress(scope)
    rows = [
        [
            row["proposal__call__title"],
            row["assigned"],
            row["accepted"],
            row["pending"],
            row["declined"],
            row["submitted"],
            row["overdue"],
        ]
        for row in progress
    ]
    title = _("Review progress per call")
    figures = [
        Figure(
            "review_progress",
            title,
            [_("Call"), _("Assigned"), _("Accepted"), _("Awaiting reply"), _("Declined"), _("Submitted"), _("Overdue")],
            rows,
            bar_chart(
                key="review_progress",
                title=title,
                labels=[row[0] for row in rows],
                series=[
                    (_("Assigned"), [row[1] for row in rows]),
                    (_("Accepted"), [row[2] for row in rows]),
                    (_("Submitted"), [row[5] for row in rows]),
                    (_("Overdue"), [row[6] for row in rows]),
                ],
            ),
            _(
                "Assigned counts every assignment not declined; overdue, those without a submitted review after the "
                "call's review deadline."
            ),
        )
    ]
    load = selectors.reviewer_load(scope)
    load_rows = [
        [
            row["full_name"] or row["email"],
            row["email"],
            row["assigned"],
            row["submitted"],
            row["assigned"] - row["submitted"],
            row["overdue"],
            row["declined"],
        ]
        for row in load
    ]
    shown = load_rows[:TOP]
    title = _("Reviewers' load")
    figures.append(
        Figure(
            "reviewer_load",
            title,
            [
                _("Reviewer"),
                _("Email"),
                _("Assigned"),
                _("Submitted"),
                _("Still to write"),
                _("Overdue"),
                _("Declined"),
            ],
            load_rows,
            bar_chart(
                key="reviewer_load",
                title=title,
                labels=[row[0] for row in shown],
                series=[(_("Submitted"), [row[3] for row in shown]), (_("Still to write"), [row[4] for row in shown])],
                stacked=True,
            ),
            _("Busiest first: most reviews still to write. The page lists %(shown)s; the export lists all %(count)s.")
            % {"shown": TABLE_LIMIT, "count": len(load_rows)}
            if len(load_rows) > TABLE_LIMIT
            else _("Busiest first: most reviews still to write."),
            table_limit=TABLE_LIMIT,
        )
    )
    histogram = Counter(row[2] for row in load_rows)
    distribution = [
        [ngettext("%(count)s review", "%(count)s reviews", n) % {"count": n}, histogram[n]] for n in sorted(histogram)
    ]
    figures.append(
        _simple(
            "reviewer_load_distribution",
            _("Reviewers by number of reviews assigned"),
            _("Reviews assigned"),
            distribution,
            _("Reviewers"),
        )
    )
    return Section(
        "review",
        _("Peer review"),
        _("Assignments and reviews of the proposals in scope."),
        figures,
    )


def _count_organisations(groups):
    """Organisations per country, kind and year of joining, and the year each country's first one joined."""
    by_country, by_kind, by_year, first_year = Counter(), Counter(), Counter(), {}
    for row in groups:
        by_country[row["country"]] += row["count"]
        by_kind[row["kind"]] += row["count"]
        by_year[row["year"]] += row["count"]
        if row["country"]:
            first_year[row["country"]] = min(row["year"], first_year.get(row["country"], row["year"]))
    return by_country, by_kind, by_year, first_year


def build_sections(scope):
    """Every section of the dashboard; the calls and proposal groups are read once for two sections."""
    calls = selectors.call_figures(scope)
    groups = selectors.proposal_groups(scope)
    return [
        partner_section(scope),
        proposal_section(scope, calls, groups),
        outcome_section(scope, calls, groups),
        review_section(scope),
    ]


def dashboard_sections(scope):
    """The dashboard's sections, cached until the data changes (see caching.py)."""
    return cached("sections", scope.key, lambda: build_sections(scope))


def find_figure(scope, section_key, figure_key):
    """One figure of the dashboard, as the page shows it; None if there is no such figure."""
    section = next((section for section in dashboard_sections(scope) if section.key == section_key), None)
    return section.figure(figure_key) if section else None


# Public page ------------------------------------------------------------------------------------


def participation():
    """The public page's figures: active partners over time, by region and by kind; counts only."""
    by_country, by_kind, by_year, first_year = _count_organisations(selectors.participation_groups())
    countries_in = {code for code in by_country if code}
    totals = {
        "organisations": sum(by_country.values()),
        "countries": len(countries_in),
        "regions": len({regions.region_of(code) for code in countries_in}),
        "international": by_country.get("", 0),
    }
    kind_rows = [[label, by_kind[kind]] for kind, label in OrganisationKind.choices if by_kind[kind]]
    figures = [
        _joins_figure(
            "participation_over_time", _("Participating organisations and countries over time"), by_year, first_year
        ),
        _region_figure("participation_by_region", by_country),
        _simple("participation_by_kind", _("Participating organisations by kind"), _("Kind"), kind_rows),
    ]
    return totals, figures


def phase_timeline():
    """The programme's phases in order, each with its missions from the database."""
    missions = selectors.missions_by_phase()
    return [
        {**phase, "missions": [mission for mission in missions if mission["phase"] == phase["phase"]]}
        for phase in phases.timeline()
    ]
