"""Edit the catalogues from the command line (`python -m i18n ...`); every command rewrites the `.po`
files (es, en, mn) the same way pybabel does (sorted by key, 76-column wrap, no source locations), so a
hand edit in Poedit, `pybabel update` and these commands all give the same file.

    python -m i18n add KEY "texto en español" "English text" "Монгол текст"     # one message
    python -m i18n add KEY "1 venta" "{count} ventas" "1 sale" "{count} sales" "1 борлуулалт" "{count} борлуулалт" --plural
    python -m i18n port-legacy [FILE]   # move (es, en) pairs left in ui/i18n.py's TEXTS into the .po files
    python -m i18n update               # pybabel extract + update: a key the code names appears, empty
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from i18n.catalogue import DOMAIN, LANGUAGES, LOCALE_DIR, messages, po_path, read_catalogue

ROOT = Path(__file__).resolve().parent.parent
LEGACY_FILE = ROOT / "ui" / "i18n.py"
LEGACY_NAME = "TEXTS"
#: Old dicts of (es, en) pairs a merge may bring back into ui/i18n.py, and the key prefix of each.
LEGACY_DICTS = {LEGACY_NAME: "", "SERIES_NAMES": "series_", "SOURCE_NAMES": "source_"}

#: A message's text in one language: a str, or its plural forms (one, then other).
Text = str | tuple[str, ...]


def write_catalogue(catalog: Catalog, lang: str) -> None:
    with po_path(lang).open("wb") as handle:
        write_po(handle, catalog, width=76, no_location=True, sort_output=True, ignore_obsolete=True)
    messages.cache_clear()


def new_catalogue(lang: str) -> Catalog:
    name = {"es": "Spanish", "en": "English", "mn": "Mongolian (Cyrillic)"}.get(lang, lang)
    catalog = Catalog(locale=lang, domain=DOMAIN, project="gold-market-dashboard", fuzzy=False)
    catalog.header_comment = (
        f"# {name} texts of the gold market dashboard: msgid is the key the code names, msgstr the text.\n"
        "# Edit in Poedit or Weblate, or with `python -m i18n add` (see i18n/README.md)."
    )
    return catalog


def _plural_forms(text: tuple[str, ...], catalog: Catalog) -> tuple[str, ...]:
    """Two forms (one, other) spread over the language's plural forms: Spanish has three (one, many for
    whole millions, other), and "many" reads as "other" here."""
    if len(text) == catalog.num_plurals:
        return text
    one, other = text[0], text[-1]
    return (one,) + (other,) * (catalog.num_plurals - 1)


def set_messages(entries: dict[str, dict[str, Text]]) -> list[str]:
    """Adds or replaces messages: {key: {"es": text, "en": text, "mn": text}}; a language left out is not
    touched. Returns what changed, one line each."""
    changed: list[str] = []
    for lang in LANGUAGES:
        path = po_path(lang)
        catalog = read_catalogue(lang) if path.exists() else new_catalogue(lang)
        for key, texts in entries.items():
            text = texts.get(lang)
            if text is None:
                continue
            old = catalog.get(key)
            if isinstance(text, tuple):
                value: Text = _plural_forms(text, catalog)
                message_id: str | tuple[str, str] = (key, key)
            else:
                value, message_id = text, key
            if old is not None and old.string == value and old.id == message_id:
                continue
            if old is not None:
                catalog.delete(key)
            catalog.add(message_id, value)
            changed.append(f"{'changed' if old is not None else 'added'} {lang} {key}")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_catalogue(catalog, lang)
    return changed


def legacy_texts(
    path: Path = LEGACY_FILE, name: str = LEGACY_NAME
) -> tuple[dict[str, tuple[str, str]], ast.Assign | ast.AnnAssign | None]:
    """The (es, en) pairs of the module-level dict `name` in `path`, read without importing it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    target: ast.expr
    for node in tree.body:
        if isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == name and value is not None:
            return ast.literal_eval(value), node
    return {}, None


def english_problems() -> dict[str, str]:
    """The English of each import problem is the data layer's own sentence (the CLI's "reason")."""
    from data.files.parsing import ENGLISH

    return {f"problem_{code}": english for code, english in ENGLISH.items()}


def port_legacy(path: Path = LEGACY_FILE) -> list[str]:
    """Moves every (es, en) pair of `path`'s TEXTS into the .po files (a pair replaces a message of the
    same key: it is the newer wording) and leaves `TEXTS: dict[str, tuple[str, str]] = {}` in the file;
    the old SERIES_NAMES and SOURCE_NAMES dicts, if a merge brought them back, become `series_ID` and
    `source_PROVIDER` messages and leave the file. An empty English of a `problem_` key is the data layer's
    sentence. Also copies the data layer's English problem sentences into en.po, so that file stays the
    whole English source."""
    from i18n import keys

    problems = english_problems()
    entries: dict[str, dict[str, Text]] = {}
    nodes: list[tuple[str, ast.Assign | ast.AnnAssign]] = []
    notes: list[str] = []
    for name, prefix in LEGACY_DICTS.items():
        pairs, node = legacy_texts(path, name)
        if node is not None and (pairs or name != LEGACY_NAME):
            nodes.append((name, node))
        for code, (es, en) in pairs.items():
            key = f"{prefix}{code}"
            entries[key] = {"es": es, "en": en or problems.get(key, "")}
            table = {"series_": keys.SERIES, "source_": keys.SOURCE}.get(prefix)
            if table is not None and code not in table:
                notes.append(f"add {code!r}: N_({key!r}) to the table of i18n/keys.py that names {prefix}*")
    for key, english in problems.items():
        if key in entries or key in messages("en").texts:
            entries.setdefault(key, {})["en"] = english
    changed = set_messages(entries)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for name, node in sorted(nodes, key=lambda item: item[1].lineno, reverse=True):
        start, end = node.lineno - 1, node.end_lineno or node.lineno
        replacement = [f"{LEGACY_NAME}: dict[str, tuple[str, str]] = {{}}\n"] if name == LEGACY_NAME else []
        lines[start:end] = replacement
        changed.append(f"{'emptied' if name == LEGACY_NAME else 'removed'} {name} in {path}")
    if nodes:
        path.write_text("".join(lines), encoding="utf-8")
    return changed + notes


def pybabel(args: Iterable[str]) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    subprocess.run(command, check=True, cwd=ROOT)


def update() -> None:
    """pybabel extract (the keys the code names in t(), tn() and N_()) into a temporary template, then
    pybabel update of both catalogues: a key new in the code appears with an empty text, a key no code
    names any more is dropped (no fuzzy guesses, no obsolete entries)."""
    created = {lang: read_catalogue(lang).creation_date for lang in LANGUAGES}
    with tempfile.TemporaryDirectory() as folder:
        template = str(Path(folder) / f"{DOMAIN}.pot")
        pybabel(["extract", "-F", "babel.cfg", "--no-location", "--sort-output", "--no-default-keywords",
                 "-k", "t:1", "-k", "tn:1,1", "-k", "N_", "-o", template, "."])  # fmt: skip
        pybabel(["update", "-i", template, "-d", str(LOCALE_DIR.relative_to(ROOT)), "-D", DOMAIN,
                 "--no-fuzzy-matching", "--ignore-obsolete"])  # fmt: skip
    for lang in LANGUAGES:  # the same layout as every other writer; no date churn in the header
        catalog = read_catalogue(lang)
        catalog.creation_date = created[lang]
        write_catalogue(catalog, lang)


def add_entry(texts: list[str], plural: bool) -> dict[str, Text]:
    """`add`'s texts by language: es, en and, when given, mn (one text each, or one and other with
    --plural). Without the Mongolian the mn catalogue is left as it is: the message reads in English there
    and the catalogue test names it as missing until someone translates it."""
    size = 2 if plural else 1
    if len(texts) not in (2 * size, 3 * size):
        raise ValueError(f"give {2 * size} texts (es, en) or {3 * size} (es, en, mn)")
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    return {
        lang: (tuple(chunk) if plural else chunk[0]) for lang, chunk in zip(LANGUAGES, chunks, strict=False)
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m i18n", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add or replace one message in every language")
    add.add_argument("key")
    add.add_argument(
        "texts",
        nargs="+",
        help="es en [mn], or with --plural: es_one es_other en_one en_other [mn_one mn_other]",
    )
    add.add_argument("--plural", action="store_true")
    legacy = commands.add_parser("port-legacy", help="move ui/i18n.py's TEXTS pairs into the .po files")
    legacy.add_argument("file", nargs="?", type=Path, default=LEGACY_FILE)
    commands.add_parser("update", help="pybabel extract + update")
    args = parser.parse_args(argv)
    if args.command == "add":
        try:
            entry = add_entry(args.texts, args.plural)
        except ValueError as error:
            parser.error(str(error))
        changed = set_messages({args.key: entry})
        if "mn" not in entry:
            changed.append(
                f"mn {args.key}: not translated yet (give the Mongolian too; tests/test_catalogue.py lists it)"
            )
    elif args.command == "port-legacy":
        changed = port_legacy(args.file)
    else:
        update()
        changed = ["updated from the code"]
    print("\n".join(changed) or "nothing to change")
    return 0
