"""What changed between two versions of a proposal, field by field and line by line, as the history page shows it."""

import difflib


def _lines(value):
    # A list (areas, the team) reads one item a line; a team member's details on one line.
    if isinstance(value, list):
        return [
            str(item) if not isinstance(item, dict) else ", ".join(f"{k}: {v}" for k, v in item.items())
            for item in value
        ]
    return str(value if value is not None else "").splitlines() or [""]


def version_changes(older, newer):
    """Field by field, the lines removed, added and kept between two versions (each with its `content`); fields
    that did not change are left out."""
    changes = []
    for field in sorted(set(older.content) | set(newer.content)):
        before, after = older.content.get(field), newer.content.get(field)
        if before == after:
            continue
        lines = [
            {"sign": line[0], "text": line[2:]}
            for line in difflib.ndiff(_lines(before), _lines(after))
            if line[:1] in "+- "
        ]
        changes.append({"field": field.replace("_", " ").capitalize(), "lines": lines})
    return changes
