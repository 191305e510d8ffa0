"""Names sorted as a reader of the active language expects: Chinese by its pinyin spelling (tone by tone),
every other language by the Unicode Collation Algorithm, which puts Russian in its alphabet's order and
Latin letters with accents beside their plain forms.

Both libraries are pure Python and install from PyPI with pip alone: pyuca (the UCA with Unicode's default
table) and pypinyin (readings of Chinese characters). PyICU would do both, but it builds against the ICU C++
headers and PyPI has no wheel of it.
"""

import functools

import pyuca
from django.utils.translation import get_language
from pypinyin import Style, lazy_pinyin


@functools.cache
def _collator():
    return pyuca.Collator()


def sort_key(text, language=None):
    """A key that sorts `text` in `language` (the active one when not given)."""
    text = str(text)
    language = (language or get_language() or "en").lower()
    if language.startswith("zh"):
        # "Bāxī" before "Bǐlìshí": the syllables spelled in Latin letters with the tone as a digit, and the
        # characters themselves after them to tell homophones apart.
        spelled = " ".join(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True))
        return (_collator().sort_key(spelled), _collator().sort_key(text))
    return (_collator().sort_key(text),)


def sorted_by_name(items, name=str, language=None):
    """`items` sorted by `name(item)` in the reader's language."""
    return sorted(items, key=lambda item: sort_key(name(item), language))


def country_sort_key(item):
    """django-countries' sort key for one (code, name) pair, in the active language."""
    return sort_key(item[1])
