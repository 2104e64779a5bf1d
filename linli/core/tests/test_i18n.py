"""The English catalogue (linli/locale/en) is the source of truth for English: every string
the sources mark has a reviewed translation, and the compiled .mo matches the .po."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.utils import translation

LINLI = Path(__file__).resolve().parents[2]
PO = LINLI / "locale/en/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
# The same options as `make messages` (Makefile), run from linli/.
IGNORE = ["tests/*"]
SOURCES = (".py", ".html", ".txt")


def key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt} | {entry.msgid}" if entry.msgctxt else entry.msgid


def translations(entry: polib.POEntry) -> list[str]:
    """The English forms: one, or one per plural form (ngettext)."""
    if entry.msgid_plural:
        return [entry.msgstr_plural.get(n, "") for n in range(2)]
    return [entry.msgstr]


def test_every_interface_string_has_an_english_translation():
    entries = [e for e in polib.pofile(str(PO)) if not e.obsolete]
    assert len(entries) > 50
    untranslated = [key(e) for e in entries if not all(translations(e))]
    assert untranslated == []
    # msgmerge guesses a translation from a similar string and marks it fuzzy: review it.
    fuzzy = [key(e) for e in entries if e.fuzzy]
    assert fuzzy == []


def test_placeholders_are_kept_in_english():
    po = polib.pofile(str(PO))
    wrong = [
        key(e)
        for e in po.translated_entries()
        for english in translations(e)
        if sorted(_placeholders(e.msgid)) != sorted(_placeholders(english))
    ]
    assert wrong == []


def _placeholders(text: str) -> list[str]:
    return re.findall(r"%\(\w+\)[sdf]|\{\w*\}", text)


def test_compiled_catalogue_is_current():
    with translation.override("en"):
        assert translation.gettext("我的网格员") == "My grid worker"
        assert translation.gettext("居民") == "Resident"
        assert translation.ngettext("%(points)d 分", "%(points)d 分", 1) == "%(points)d point"
        assert translation.ngettext("%(points)d 分", "%(points)d 分", 2) == "%(points)d points"
    po = {(e.msgctxt, e.msgid): translations(e) for e in polib.pofile(str(PO)).translated_entries()}
    mo = {(e.msgctxt, e.msgid): translations(e) for e in polib.mofile(str(MO)) if e.msgid}
    assert mo == po, "run `make messages` (compilemessages) and commit the .mo"


def test_catalogue_has_every_string_the_sources_mark(tmp_path, settings, monkeypatch):
    tools = ["xgettext", "msgmerge", "msguniq"]
    if not all(shutil.which(tool) for tool in tools):
        message = f"GNU gettext ({', '.join(tools)}) is needed to extract the strings"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # makemessages writes where it runs: run it on a copy of the sources and the .po.
    copy = tmp_path / "linli"

    def skip(folder: str, names: list[str]) -> set[str]:
        return {
            n
            for n in names
            if n == "__pycache__" or (Path(folder, n).is_file() and not n.endswith(SOURCES))
        }

    shutil.copytree(LINLI, copy, ignore=skip)
    shutil.copy(PO, copy / "locale/en/LC_MESSAGES/django.po")
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages", locale=["en"], ignore_patterns=IGNORE, no_obsolete=True, verbosity=0
    )
    fresh = {key(e) for e in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))}
    committed = {key(e) for e in polib.pofile(str(PO)) if not e.obsolete}
    new, gone = sorted(fresh - committed), sorted(committed - fresh)
    assert not new, f"run `make messages` and translate the new strings: {new}"
    assert not gone, f"run `make messages` to drop the strings no longer used: {gone}"
