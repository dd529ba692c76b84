"""The catalogues (i18n/locale/*/LC_MESSAGES/messages.po): both languages have every message, with the same
placeholders; plural forms by gettext's rules; the tools that write the files; the words below services."""

from __future__ import annotations

import ast
import shutil
import string
from pathlib import Path

import pytest

import i18n.catalogue as catalogue
from i18n import N_, has, t, tn
from i18n.tool import legacy_texts, port_legacy, set_messages
from tests.conftest import PROJECT_ROOT


def placeholders(text: str) -> set[str]:
    """`{price}`, `{limit:,}` and `{row[0]}` → price, limit, row (the names str.format fills)."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field:
            names.add(field.split(".")[0].split("[")[0])
    return names


def entry_placeholders(text: str | tuple[str, ...]) -> set[str]:
    """A plural entry's placeholders are those of all its forms, less `count` (the one-form may write
    "1 venta" instead of "{count} venta")."""
    if isinstance(text, tuple):
        return set().union(*(placeholders(form) for form in text)) - {"count"}
    return placeholders(text)


def test_both_languages_have_the_same_keys_every_text_filled_in():
    spanish, english = catalogue.messages("es").texts, catalogue.messages("en").texts
    assert len(spanish) > 700
    assert sorted(spanish) == sorted(english)
    empty = [(lang, key) for lang, texts in (("es", spanish), ("en", english)) for key, text in texts.items()
             if not (all(text) if isinstance(text, tuple) else text)]  # fmt: skip
    assert empty == []
    plural_mismatch = [
        key for key in spanish if isinstance(spanish[key], tuple) != isinstance(english[key], tuple)
    ]
    assert plural_mismatch == []


def test_every_message_has_the_same_placeholders_in_both_languages():
    spanish, english = catalogue.messages("es").texts, catalogue.messages("en").texts
    differ = {
        key: (sorted(entry_placeholders(spanish[key])), sorted(entry_placeholders(english[key])))
        for key in spanish
        if entry_placeholders(spanish[key]) != entry_placeholders(english[key])
    }
    assert differ == {}
    # and every form of a plural entry but the first has {count} (or nothing varies with the number)
    assert placeholders(catalogue.messages("es").texts["sales_store"][1]) == {"count"}  # type: ignore[index]


def test_a_placeholder_mismatch_would_be_caught():
    assert placeholders("{price} el {day:%d}") == {"price", "day"}
    assert entry_placeholders(("1 venta del {first}", "{count} ventas del {first} al {last}")) == {
        "first",
        "last",
    }
    assert entry_placeholders("Compra {buyer}") != entry_placeholders("{name} buy price")


def test_plural_forms_follow_each_language():
    assert tn("sales_store", 1, "es") == "Guardar 1 venta"
    assert tn("sales_store", 2, "es") == "Guardar 2 ventas"
    assert tn("sales_store", 0, "es") == "Guardar 0 ventas"
    assert tn("sales_store", 1_000_000, "es") == "Guardar 1000000 ventas"  # CLDR's "many" form
    assert tn("sales_store", 1, "en") == "Store 1 sale" and tn("sales_store", 21, "en") == "Store 21 sales"
    assert tn("sales_store", 1234, "es", count="1.234") == "Guardar 1.234 ventas"  # a formatted count
    assert catalogue.messages("es").plural_index(1_000_000) == 1
    assert catalogue.messages("en").plural_index(1_000_000) == 1
    with pytest.raises(KeyError):
        t("sales_store", "es")  # a plural message needs its number
    with pytest.raises(KeyError):
        tn("app_title", 2, "es")
    with pytest.raises(KeyError):
        t("no_such_key", "es")


def test_the_old_one_emulation_is_gone():
    """Plural forms are gettext's now: no `_one` twin of a message remains."""
    assert [key for key in catalogue.all_keys() if key.endswith("_one")] == []


def test_n_marks_a_key_and_returns_it():
    assert N_("unit_g") == "unit_g" and has("unit_g") and not has("unit_nothing")


def test_the_english_of_import_problems_is_the_data_layers_sentence():
    from data.parsing import ENGLISH

    english = catalogue.messages("en").texts
    assert {f"problem_{code}" for code in ENGLISH} <= set(english)
    assert {code: english[f"problem_{code}"] for code in ENGLISH} == ENGLISH


def test_no_pair_is_left_in_the_old_ui_i18n_texts():
    """After a merge, `python -m i18n port-legacy` moves pairs added the old way into the .po files."""
    pairs, node = legacy_texts()
    assert node is not None and pairs == {}, "run: python -m i18n port-legacy"


@pytest.fixture()
def scratch_locale(tmp_path, monkeypatch):
    """A copy of the catalogues the tools may write to."""
    shutil.copytree(catalogue.LOCALE_DIR, tmp_path / "locale")
    monkeypatch.setattr(catalogue, "LOCALE_DIR", tmp_path / "locale")
    catalogue.messages.cache_clear()
    yield tmp_path
    catalogue.messages.cache_clear()


def test_port_legacy_moves_old_pairs_into_both_catalogues(scratch_locale):
    legacy = scratch_locale / "old_i18n.py"
    legacy.write_text(
        '"""Old module."""\n\nTEXTS: dict[str, tuple[str, str]] = {\n'
        '    "zz_new": ("Hola {name}", "Hello {name}"),\n'
        '    "app_title": ("Precio del oro hoy", "Gold price today"),\n'
        '    "problem_file_empty": ("el archivo está vacío", ""),\n'
        "}\n\n\ndef kept():\n    return 1\n",
        encoding="utf-8",
    )
    changed = port_legacy(legacy)
    assert "added es zz_new" in changed and "changed en app_title" in changed
    assert t("zz_new", "es", name="Ana") == "Hola Ana" and t("zz_new", "en", name="Ana") == "Hello Ana"
    assert t("app_title", "es") == "Precio del oro hoy"  # the newer wording wins
    assert t("problem_file_empty", "en") == "the file is empty"  # the data layer's English, kept
    text = legacy.read_text(encoding="utf-8")
    assert "TEXTS: dict[str, tuple[str, str]] = {}\n" in text and "def kept():" in text
    assert legacy_texts(legacy)[0] == {}
    assert port_legacy(legacy) == []  # nothing left to move


def test_add_writes_sorted_entries_readable_by_pybabel(scratch_locale):
    from babel.messages.pofile import read_po

    set_messages({"aa_first": {"es": "Primero", "en": "First"}})
    set_messages({"aa_sales": {"es": ("1 venta", "{count} ventas"), "en": ("1 sale", "{count} sales")}})
    path = Path(catalogue.LOCALE_DIR) / "es" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        read = read_po(handle, locale="es")
    ids = [m.id if isinstance(m.id, str) else m.id[0] for m in read if m.id]
    assert ids == sorted(ids) and "aa_first" in ids
    assert read.get("aa_sales").string == ("1 venta", "{count} ventas", "{count} ventas")
    assert tn("aa_sales", 3, "es") == "3 ventas" and tn("aa_sales", 1, "en") == "1 sale"
    assert "#:" not in path.read_text(encoding="utf-8")  # no source locations to churn on merges


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_words_are_below_services():
    """services/ and the CLI read their words from i18n, never from ui/; i18n reads nothing above it."""
    for path in [*(PROJECT_ROOT / "services").glob("*.py"), PROJECT_ROOT / "cli.py"]:
        assert "ui.i18n" not in imports(path), path
    for path in (PROJECT_ROOT / "i18n").glob("*.py"):
        above = {
            name
            for name in imports(path)
            if name.split(".")[0] in ("ui", "services", "app_pages", "streamlit")
        }
        assert above == set(), path
