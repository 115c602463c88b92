"""The English catalogue is complete: every marked string is in it, and every entry is translated.

When a string is added or changed, `make messages` brings it into
locale/en/LC_MESSAGES/django.po; these tests name what is then left to translate.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
CATALOGUE = PROJECT_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$')


def read_catalogue(path):
    """Entries of a .po file: {(context, msgid): {"msgstr": [...], "fuzzy": bool}}."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields, current, fuzzy = {}, None, False
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            match = ENTRY.match(line)
            if match:
                current = match.group(1)
                fields.setdefault(current, "")
                fields[current] += match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            key = (fields.get("msgctxt"), fields["msgid"])
            translations = [value for name, value in fields.items() if name.startswith("msgstr")]
            entries[key] = {"msgstr": translations, "fuzzy": fuzzy}
    return entries


def test_every_entry_of_the_english_catalogue_is_translated():
    entries = read_catalogue(CATALOGUE)
    untranslated = [
        msgid for (_, msgid), entry in entries.items() if entry["fuzzy"] or not all(entry["msgstr"])
    ]
    assert len(entries) > 150
    assert not untranslated, f"translate these in {CATALOGUE.name}: {untranslated}"


def test_every_string_marked_for_translation_is_in_the_english_catalogue(tmp_path):
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is missing (apt-get install gettext)")
    # makemessages writes into the project's locale/: run it on a copy of the tracked files.
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_DIR,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = PROJECT_DIR / name
        if source.suffix in {".py", ".html", ".txt", ".po"} and source.is_file():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    command = [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v0"]
    subprocess.run(
        [*command, "--ignore=tests", "--ignore=bench"],
        cwd=tmp_path,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATA_DIR": str(tmp_path / "data"),
        },
    )
    # The copy's catalogue, merged with what is marked now: a new or changed string shows up
    # untranslated or fuzzy.
    merged = read_catalogue(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")
    missing = [
        msgid for (_, msgid), entry in merged.items() if entry["fuzzy"] or not all(entry["msgstr"])
    ]
    assert not missing, f"run `make messages`, then translate in {CATALOGUE.name}: {missing}"
