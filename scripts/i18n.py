"""Extract the workbench's interface strings and update its catalogues (English, Spanish).

    .venv/bin/python scripts/i18n.py            # update web/locale/*/LC_MESSAGES/messages.po
    .venv/bin/python scripts/i18n.py --check    # exit 1 when a catalogue lacks a string

New strings arrive with an empty translation (English gets the source text);
translate them in the Spanish catalogue. tests/web/test_pages.py fails while one
is missing or empty. The .po files are compiled in memory when the hub starts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

SRC = Path(__file__).resolve().parent.parent / "src"
sys.path.insert(0, str(SRC))  # this tree's labels, whatever the environment installed

from crosscheck.model.labels import msgids  # noqa: E402

WEB = SRC / "crosscheck" / "web"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
PLURALS: dict[str, str] = {}  # an ngettext singular msgid -> its plural


def extract() -> dict[str, list[str]]:
    """Every msgid in the templates and the FtM labels (``model/labels.py``), with their places."""
    found: dict[str, list[str]] = {}
    PLURALS.clear()
    options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
    for template in sorted((WEB / "templates").glob("*.html")):
        with template.open("rb") as source:
            for line, _, message, _ in babel_extract(source, KEYWORDS, [], options):
                text = message if isinstance(message, str) else message[0]
                if not isinstance(message, str) and len(message) > 1 and message[1]:
                    PLURALS[text] = message[1]  # ngettext: singular and plural
                found.setdefault(text, []).append(f"{template.name}:{line}")
    for text in msgids():  # FtM's labels of the schemata and properties pages show
        found.setdefault(text, []).append("labels.py:0")
    return found


def main() -> int:
    found = extract()
    missing = 0
    for language in ("en", "es"):
        po = WEB / "locale" / language / "LC_MESSAGES" / "messages.po"
        old = Catalog(locale=language)
        if po.exists():
            with po.open("rb") as source:
                old = read_po(source, locale=language)
        new = Catalog(
            locale=language,
            project="crosscheck",
            charset="utf-8",
            fuzzy=False,
            creation_date=old.creation_date,  # stable: no diff when nothing changed
            revision_date=old.revision_date,
        )
        for text, places in sorted(found.items()):
            kept = old.get(text)
            where = [(p.split(":")[0], int(p.split(":")[1])) for p in places]
            if text in PLURALS:  # one form per the language's plural rule, each filled in
                forms = tuple(kept.string) if kept is not None and kept.pluralizable else ()
                if language == "en" and not any(forms):
                    forms = (text, PLURALS[text])
                forms = (forms + ("",) * new.num_plurals)[: new.num_plurals]
                new.add((text, PLURALS[text]), forms, locations=where)
                missing += not all(forms)
                continue
            translated = kept.string if kept is not None and kept.string else ""
            if language == "en" and not translated:
                translated = text
            new.add(text, translated, locations=where)
            missing += not translated
        if "--check" not in sys.argv:
            po.parent.mkdir(parents=True, exist_ok=True)
            with po.open("wb") as out:
                write_po(out, new, width=100, omit_header=False, sort_output=True)
    print(f"{len(found)} strings; {missing} untranslated")
    return 1 if missing and "--check" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
