"""Vietnamese first, English second: pages follow the chosen language and the vi catalogue is complete."""
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from cases.models import SlaState

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|\{\w*\}")



def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.django_db
def test_home_page_is_vietnamese_by_default_and_english_when_chosen():
    vi = Client().get("/")
    assert vi.status_code == 200
    assert '<html lang="vi">' in vi.content.decode()
    assert "Đăng nhập" in vi.content.decode()
    assert "Khiếu nại, tố cáo, kiến nghị, phản ánh" in vi.content.decode()

    assert "Đăng nhập" in Client(headers={"accept-language": "en-US,en"}).get("/").content.decode()  # browser ignored

    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = english.get("/")
    assert "Log in" in en.content.decode()
    assert "Complaints, denunciations, recommendations and feedback" in en.content.decode()
    assert "Đăng nhập" not in en.content.decode()


@pytest.mark.django_db
def test_language_switcher_sets_english_then_back_to_vietnamese():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log in" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Đăng nhập" in client.get("/").content.decode()


def test_model_labels_are_translated():
    with translation.override("vi"):
        assert str(SlaState.OVERDUE.label) == "Quá hạn"
    with translation.override("en"):
        assert str(SlaState.OVERDUE.label) == "Overdue"


def test_vietnamese_catalogue_is_complete():
    po = catalogue("vi")
    assert len(po) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_translations_keep_their_placeholders():
    for entry in catalogue("vi").translated_entries():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        source = entry.msgid_plural or entry.msgid
        for text in translations:
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(text)), entry.msgid


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_compiled_catalogue_matches_its_source(lang):
    """The .mo files are committed (no gettext needed at run time): they must be rebuilt from the .po."""
    po = catalogue(lang)
    mo = polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / "django.mo"))
    wanted = {e.msgid: e.msgstr for e in po.translated_entries()}
    compiled = {e.msgid: e.msgstr for e in mo if e.msgid}
    assert compiled == wanted
