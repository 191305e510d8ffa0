"""The programme's phases as the public pages tell them: each `Phase` choice, named by its own label, with its
years, a summary and the missions planned in it."""

from django.utils.translation import gettext_lazy as _

from .models import Phase

# Years, summary and planned missions of each phase.
ABOUT = {
    Phase.RECONNAISSANCE: (
        "– 2025",
        _("Robotic missions survey the Moon and return samples, including from the far side."),
        ["Chang'e-4", "Chang'e-5", "Chang'e-6", "Luna-25"],
    ),
    Phase.CONSTRUCTION_1: (
        "2026 – 2030",
        _("South-pole survey, in-situ resource use and 3D printing tests; the station's first elements."),
        ["Chang'e-7", "Chang'e-8", "Luna-26", "Luna-27"],
    ),
    Phase.CONSTRUCTION_2: (
        "2031 – 2035",
        _("Command centre, energy and communications, research, resource and robotic facilities."),
        ["ILRS-1", "ILRS-2", "ILRS-3", "ILRS-4", "ILRS-5", "Luna-28"],
    ),
    Phase.UTILISATION: (
        "2036 –",
        _("Crewed visits, long-term experiments and extension of the station."),
        [],
    ),
}


def timeline():
    """The phases in order, each with its name, years, summary and the names of its planned missions."""
    return [
        {"phase": phase, "name": phase.label, "years": years, "summary": summary, "missions": missions}
        for phase in Phase
        for years, summary, missions in [ABOUT[phase]]
    ]
