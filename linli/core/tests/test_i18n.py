import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale/en/LC_MESSAGES/django.po"


def test_every_interface_string_has_an_english_translation():
    text = PO.read_text()
    entries = re.findall(r'\nmsgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', text)
    assert len(entries) > 50
    untranslated = [mid for mid, mstr in entries if mid.strip() != '""' and mstr.strip() == '""']
    assert untranslated == []
    assert "#, fuzzy" not in text.split("msgid", 2)[2]


def test_compiled_catalogue_is_current():
    with translation.override("en"):
        assert translation.gettext("我的网格员") == "My grid worker"
        assert translation.gettext("居民") == "Resident"
