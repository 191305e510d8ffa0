"""Country lists follow the reader's language: Chinese by pinyin, Russian in its alphabet's order."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_countries import countries

from portal.collation import sort_key, sorted_by_name


@pytest.fixture(autouse=True)
def english_afterwards():
    """A request in Chinese or Russian leaves its language active in the thread; the next test starts in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def names(language):
    with translation.override(language):
        return [name for _code, name in countries]


def before(listed, first, second):
    return listed.index(first) < listed.index(second)


def test_chinese_countries_are_in_pinyin_order():
    listed = names("zh-hans")
    # Rìběn before Zhōngguó, though 中 comes before 日 in Unicode and China before Japan in English.
    assert before(listed, "日本", "中国")
    assert before(listed, "阿尔及利亚", "巴西")  # Ā'ěrjílìyà, Bāxī
    assert before(listed, "巴西", "德国")  # Bāxī, Déguó


def test_russian_countries_are_in_alphabetical_order():
    listed = names("ru")
    assert before(listed, "Россия", "Япония")  # Japan before Russia in English
    assert before(listed, "Австралия", "Бразилия")


def test_english_countries_stay_in_english_order():
    listed = names("en")
    assert before(listed, "China", "Japan")
    assert before(listed, "Åland Islands", "Albania")  # Å sorts as A, not after Z
    assert before(listed, "Côte d'Ivoire", "Croatia")  # the accent sorts as its plain letter


def test_sort_key_ignores_case_and_accents_first():
    assert sorted_by_name(["Zebra", "ábaco", "Abeja"], language="es") == ["ábaco", "Abeja", "Zebra"]
    assert sort_key("北京", "zh-hans") < sort_key("上海", "zh-hans")  # Běijīng, Shànghǎi


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "first", "second"), [("zh-hans", "日本", "中国"), ("ru", "Россия", "Япония")])
def test_the_join_form_lists_countries_in_the_readers_order(client, language, first, second):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("partners:join")).content.decode()

    options = re.findall(r"<option value=\"[A-Z]{2}\"[^>]*>([^<]+)</option>", page)
    assert first in options and second in options
    assert before(options, first, second)
