"""What changed between two versions of a proposal, as its history page shows it."""

from types import SimpleNamespace

from proposals.versions import version_changes


def version(**content):
    return SimpleNamespace(content=content)


def test_only_the_fields_that_changed_are_shown_each_with_its_lines_removed_added_and_kept():
    older = version(title="Regolith dust analyser", abstract="Measures dust.\nAt the south pole.", mass_kg="4.00")
    newer = version(title="Water ice mapper", abstract="Maps water ice.\nAt the south pole.", mass_kg="4.00")

    assert version_changes(older, newer) == [
        {
            "field": "Abstract",
            "lines": [
                {"sign": "-", "text": "Measures dust."},
                {"sign": "+", "text": "Maps water ice."},
                {"sign": " ", "text": "At the south pole."},
            ],
        },
        {
            "field": "Title",
            "lines": [{"sign": "-", "text": "Regolith dust analyser"}, {"sign": "+", "text": "Water ice mapper"}],
        },
    ]


def test_a_list_reads_one_item_a_line_and_a_team_member_on_one_line():
    older = version(areas=["payloads"], team=[{"name": "Ana Quispe", "country": "BO"}])
    newer = version(areas=["payloads", "data_sharing"], team=[])

    areas, team = version_changes(older, newer)

    assert areas == {
        "field": "Areas",
        "lines": [{"sign": " ", "text": "payloads"}, {"sign": "+", "text": "data_sharing"}],
    }
    assert team == {"field": "Team", "lines": [{"sign": "-", "text": "name: Ana Quispe, country: BO"}]}


def test_a_field_only_one_version_has_is_shown_as_added_and_same_versions_show_nothing():
    assert version_changes(version(), version(schedule="Two years.")) == [
        {"field": "Schedule", "lines": [{"sign": "-", "text": ""}, {"sign": "+", "text": "Two years."}]}
    ]
    assert version_changes(version(title="Same"), version(title="Same")) == []
