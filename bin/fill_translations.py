"""Write linli/locale/en_translations.py into the English .po file (run by `make messages`)."""

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "linli/locale/en/LC_MESSAGES/django.po"


def main() -> int:
    spec = importlib.util.spec_from_file_location("en", ROOT / "linli/locale/en_translations.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table: dict[str, str] = module.EN
    text = PO.read_text()
    # msgmerge guesses "fuzzy" translations from similar strings (已更正 → "Dispatched"):
    # drop the guess so the table's translation is used.
    # Other flags on the line (python-format …) are kept.
    text = re.sub(
        r"#, fuzzy((?:, [\w-]+)*)\n(?:#\| .*\n)*"
        r'((?:msgctxt ".*"\n)?msgid "(?!")(?:.*)"\n(?:".*"\n)*)msgstr (?:".*"\n)+',
        lambda m: (f"#{m.group(1)}\n" if m.group(1) else "") + m.group(2) + 'msgstr ""\n',
        text,
    )
    # Every msgid the table knows takes the table's English (so a corrected translation
    # reaches the .po); other filled entries are kept; empty ones are reported.
    # A string with a context ({% translate "立案" context "button" %}) is keyed
    # "button\x04立案" in the table, as gettext keys it.
    entry = re.compile(
        r'(msgctxt "((?:[^"\\]|\\.)*)"\n)?'
        r'msgid ((?:"(?:[^"\\]|\\.)*"\n)+)msgstr ((?:"(?:[^"\\]|\\.)*"\n)+)'
    )
    missing = []

    def fill(m: re.Match[str]) -> str:
        msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(3)))
        if not msgid:
            return m.group(0)
        key = f"{m.group(2)}\x04{msgid}" if m.group(1) else msgid
        if key not in table:
            if m.group(4) == '""\n':
                missing.append(key.replace("\x04", " | "))
            return m.group(0)
        out = table[key].replace("\\", "\\\\").replace('"', '\\"')
        return f'{m.group(1) or ""}msgid {m.group(3)}msgstr "{out}"\n'

    text = entry.sub(fill, text)
    text = text.replace("#, fuzzy\n", "", 1)
    PO.write_text(text)
    for msgid in missing:
        print(f"untranslated: {msgid}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
