"""Helpers the dashboard tests share."""

from decimal import Decimal


def table(section_or_figures, key):
    """A figure's rows, as the page and its exports show them, with labels turned to text."""
    figures = section_or_figures.figures if hasattr(section_or_figures, "figures") else section_or_figures
    figure = next(figure for figure in figures if figure.key == key)
    return [
        [str(cell) if not isinstance(cell, int | Decimal | type(None)) else cell for cell in row] for row in figure.rows
    ]
