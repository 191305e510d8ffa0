"""Content given by people in more than one language: the English text, required, and beside it the same
field with a language suffix (`title_zh_hans`, `title_ru`) that may be left empty.

A reader is shown their language's text, or the English one where it is missing; `InLanguage.lang` is then
"en", so a page can mark the fallback with lang="en" for screen readers and fonts.
"""

from django.utils.translation import get_language

SOURCE_LANGUAGE = "en"
# The portal's other languages and the suffix their fields carry.
FIELD_SUFFIXES = {"zh-hans": "zh_hans", "ru": "ru"}


class InLanguage(str):
    """Text in the reader's language; `lang` names the language it is in when that is not the reader's."""

    lang = ""


def translated_fields(*names):
    """Every language's field of each name, English first: title, title_zh_hans, title_ru…"""
    return [f"{name}{suffix}" for name in names for suffix in ("", *(f"_{s}" for s in FIELD_SUFFIXES.values()))]


def in_reader_language(source, field, language=None):
    """The `field` of `source` (a model instance or a dict) in `language`, the active one when not given."""
    language = (language or get_language() or SOURCE_LANGUAGE).lower()

    def value(name):
        found = source.get(name) if isinstance(source, dict) else getattr(source, name, "")
        return str(found or "")

    english = InLanguage(value(field))
    suffix = FIELD_SUFFIXES.get(language)
    if suffix is None:
        return english
    text = value(f"{field}_{suffix}")
    if text.strip():
        return InLanguage(text)
    english.lang = SOURCE_LANGUAGE if english else ""
    return english
