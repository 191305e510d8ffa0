"""The Simplified Chinese and Russian catalogues are complete, compiled, and used by the pages.

The catalogues live in locale/<lang>/LC_MESSAGES/django.po. After `makemessages` every new string arrives
empty (or fuzzy); these tests fail until it is translated and `compilemessages` has rebuilt the .mo file.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
CATALOGUES = {"zh_Hans": 1, "ru": 3}  # language directory -> number of plural forms
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|%[sdif]|\{\w*\}")


def _unquote(line):
    return ast.literal_eval(line)


def parse_po(path):
    """Entries of a .po file: dicts with msgctxt, msgid, msgid_plural, msgstr {index: text} and flags.

    Standard library only; obsolete (#~) entries are left out, the header entry (empty msgid) is kept.
    """
    entries = []
    entry = None
    field = None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:
                finish()
                entry = None
            if entry is None:
                entry = {"flags": set(), "msgstr": {}}
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if entry is None or (line.startswith(("msgctxt", "msgid ")) and "msgid" in entry):
            finish()
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith('"'):
            text = _unquote(line)
            if isinstance(field, int):
                entry["msgstr"][field] += text
            else:
                entry[field] += text
            continue
        keyword, _, value = line.partition(" ")
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            field = int(match.group(1))
            entry["msgstr"][field] = _unquote(value)
        elif keyword == "msgstr":
            field = 0
            entry["msgstr"][0] = _unquote(value)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            field = keyword
            entry[keyword] = _unquote(value)
        else:
            raise AssertionError(f"{path}: cannot parse line {raw!r}")
    finish()
    return entries


def _po_path(lang):
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def _label(entry):
    context = f"[{entry['msgctxt']}] " if entry.get("msgctxt") else ""
    return f"{context}{entry['msgid']!r}"


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_catalogue_is_complete(lang):
    path = _po_path(lang)
    assert path.exists(), f"{path} is missing: run makemessages -l {lang}"
    entries = parse_po(path)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "", "the .po file must start with its header entry"
    header_text = header["msgstr"][0]
    assert "charset=UTF-8" in header_text
    assert f"nplurals={CATALOGUES[lang]};" in header_text
    assert "fuzzy" not in header["flags"], "the header is marked fuzzy, so gettext would ignore the plural forms"
    assert len(messages) > 100

    untranslated, fuzzy, bad_plurals, bad_placeholders = [], [], [], []
    for entry in messages:
        label = _label(entry)
        if "fuzzy" in entry["flags"]:
            fuzzy.append(label)
        if any(not text.strip() for text in entry["msgstr"].values()):
            untranslated.append(label)
        if "msgid_plural" in entry and sorted(entry["msgstr"]) != list(range(CATALOGUES[lang])):
            bad_plurals.append(label)
        expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for text in entry["msgstr"].values():
            if text and "python-format" in entry["flags"] and sorted(PLACEHOLDER.findall(text)) != expected:
                bad_placeholders.append(f"{label} -> {text!r}")
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{lang}: {len(fuzzy)} fuzzy: {fuzzy[:20]}"
    assert not bad_plurals, f"{lang}: wrong number of plural forms: {bad_plurals[:20]}"
    assert not bad_placeholders, f"{lang}: placeholders differ from the English: {bad_placeholders[:20]}"


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_compiled_catalogue_is_current(lang):
    po_path = _po_path(lang)
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run compilemessages"
    # A fresh checkout may write the two files a moment apart in either order; allow that much.
    assert mo_path.stat().st_mtime >= po_path.stat().st_mtime - 2, (
        f"{mo_path.name} is older than {po_path.name}: run compilemessages"
    )
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(po_path)[1:]:
        context = f"{entry['msgctxt']}\x04" if entry.get("msgctxt") else ""
        if "msgid_plural" in entry:
            for index, text in entry["msgstr"].items():
                if compiled._catalog.get((context + entry["msgid"], index)) != text:
                    stale.append(_label(entry))
        elif compiled._catalog.get(context + entry["msgid"]) != entry["msgstr"][0]:
            stale.append(_label(entry))
    assert not stale, f"{mo_path} does not match {po_path.name} ({len(stale)} entries): run compilemessages"


PAGES = {
    "zh-hans": {
        "/": ["国际月球科研站合作伙伴门户", "申请加入国际月球科研站", "项目时间线", "建设——第一阶段"],
        "/calls/": ["项目征集", "当前开放", "目前没有开放的征集。"],
    },
    "ru": {
        "/": [
            "Портал партнёров МНЛС",
            "Подать заявку на участие в МНЛС",
            "Этапы программы",
            "Строительство — первый этап",
        ],
        "/calls/": ["Конкурсы заявок", "Открытые сейчас", "Сейчас нет открытых конкурсов."],
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", sorted(PAGES))
@pytest.mark.parametrize("path", ["/", "/calls/"])
def test_page_follows_accept_language(client, language, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for text in PAGES[language][path]:
        assert text in html, f"{text!r} missing from {path} in {language}"
    assert "Skip to content" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", sorted(PAGES))
def test_page_follows_language_cookie(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/calls/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in PAGES[language]["/calls/"]:
        assert text in html
    assert "Calls for proposals" not in html


@pytest.mark.django_db
def test_english_stays_the_default(client):
    html = client.get("/calls/").content.decode()
    assert "Calls for proposals" in html
    assert "项目征集" not in html and "Конкурсы заявок" not in html


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ru", 1, "1 страна"),
        ("ru", 3, "3 страны"),
        ("ru", 5, "5 стран"),
        ("ru", 11, "11 стран"),
        ("ru", 22, "22 страны"),
        ("zh-hans", 5, "5 个国家"),
    ],
)
def test_plural_forms(language, count, expected):
    with translation.override(language):
        text = translation.ngettext("%(count)s country", "%(count)s countries", count) % {"count": count}
    assert text == expected
