"""The catalogues (i18n/locale/*/LC_MESSAGES/messages.po): Spanish, English and Mongolian have every message,
with the same placeholders; plural forms by gettext's rules (CLDR's for each language); no English left in
Mongolian; the tools that write the files; the words below services."""

from __future__ import annotations

import ast
import re
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


def test_mongolian_has_every_message_of_english_with_the_same_placeholders():
    """A message added to es and en only (`python -m i18n add KEY es en`) is listed here by key until its
    Mongolian is written (`python -m i18n add KEY es en mn`, or the msgstr in mn/.../messages.po)."""
    english, mongolian = catalogue.messages("en").texts, catalogue.messages("mn").texts
    missing = sorted(
        key
        for key in english
        if not (all(mongolian[key]) if isinstance(mongolian.get(key), tuple) else mongolian.get(key))
    )
    assert missing == [], (
        f"{len(missing)} messages have no Mongolian yet (i18n/locale/mn): {', '.join(missing)}"
    )
    assert sorted(set(mongolian) - set(english)) == []
    assert [
        key for key in english if isinstance(english[key], tuple) != isinstance(mongolian[key], tuple)
    ] == []
    differ = {
        key: (sorted(entry_placeholders(mongolian[key])), sorted(entry_placeholders(english[key])))
        for key in english
        if entry_placeholders(mongolian[key]) != entry_placeholders(english[key])
    }
    assert differ == {}
    # written as Spanish writes them, format specs included: outside English, problem_text fills in values
    # already formatted as text ("1.234,5"), which a `{value:.2f}` or `{limit:,}` would not accept
    fields = re.compile(r"\{[^{}]*\}")
    spanish = catalogue.messages("es").texts
    specs = [
        key
        for key in english
        if set(fields.findall(str(mongolian[key]))) != set(fields.findall(str(spanish[key])))
    ]
    assert specs == []


#: Codes and names a Mongolian message writes in Latin letters (currencies, sources, file kinds, methods,
#: the language picker's own names): any other Latin word in mn is English left untranslated.
MONGOLIAN_LATIN = frozenset(
    """
    AM ARIMA BCB BCRP PD BOB X BanRep Banco de la República COMEX COP CSV Diebold Mariano Newey West Bonferroni
    Ecological Excel FRED Fairmined Fairtrade Yahoo Finance GC F GOLD_DASHBOARD_OFFLINE GOLD_USD HTML Idioma
    Language LBMA MASE MNT PDF PEN Q W RSI SMTP_HOST Stooq TRM Theta USD UTF Windows WhatsApp datos gov co
    org p rMAE xlsx castellano tomin g oz kg sale_id series Valor recibido
    """.split()  # noqa: SIM905
)


def test_no_english_is_left_in_mongolian():
    """Placeholders, `code` spans and the allowed codes and names aside, a Mongolian text is Cyrillic.
    (`g`, `oz`, `castellano`, `tomin` are the unit codes a sales file is written with; `Valor recibido` a
    Spanish header given as an example; `--series` and `sale_id` the CLI's and the file's own names.)"""
    latin = {}
    for key, text in catalogue.messages("mn").texts.items():
        for form in text if isinstance(text, tuple) else (text,):
            plain = re.sub(r"`[^`]*`|\{[^{}]*\}", " ", form)
            words = set(re.findall(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ_]*", plain)) - MONGOLIAN_LATIN
            if words:
                latin[key] = sorted(words)
    assert latin == {}


def test_mongolian_plural_forms_are_cldrs():
    """Babel's CLDR rule for mn: one (n = 1) and other; the header's Plural-Forms says the same."""
    from babel import Locale

    rule = Locale.parse("mn").plural_form
    index = catalogue.messages("mn").plural_index
    assert (
        [index(n) for n in (0, 1, 2, 5, 21, 1_000_000)]
        == [0 if rule(n) == "one" else 1 for n in (0, 1, 2, 5, 21, 1_000_000)]
        == [1, 0, 1, 1, 1, 1]
    )
    assert tn("sales_store", 1, "mn") == "1 борлуулалт хадгалах"
    assert tn("sales_store", 21, "mn") == "21 борлуулалт хадгалах"
    assert t("card_title", "mn") == "Алтны үнэ" and t("unit_g", "mn") == "грамм"


def test_a_message_not_yet_in_mongolian_reads_in_english(scratch_locale):
    from i18n.tool import main

    assert main(["add", "zz_new", "Hola {name}", "Hello {name}"]) == 0
    assert t("zz_new", "mn", name="Bat") == "Hello Bat"  # never the key, never Spanish
    assert main(["add", "zz_new", "Hola {name}", "Hello {name}", "Сайн уу {name}"]) == 0
    assert t("zz_new", "mn", name="Бат") == "Сайн уу Бат" and t("zz_new", "es", name="Ana") == "Hola Ana"
    assert main(["add", "zz_n", "1 venta", "{count} ventas", "1 sale", "{count} sales", "--plural"]) == 0
    assert tn("zz_n", 3, "mn") == "3 sales"
    args = ["add", "zz_n", "1 venta", "{count} ventas", "1 sale", "{count} sales", "1 борлуулалт"]
    with pytest.raises(SystemExit):
        main([*args, "{count} борлуулалт", "extra", "--plural"])  # 7 texts: not es, en, mn
    assert main([*args, "{count} борлуулалт", "--plural"]) == 0
    assert tn("zz_n", 1, "mn") == "1 борлуулалт" and tn("zz_n", 3, "mn") == "3 борлуулалт"


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
        tn("nav_overview", 2, "es")
    with pytest.raises(KeyError):
        t("no_such_key", "es")


def test_the_old_one_emulation_is_gone():
    """Plural forms are gettext's now: no `_one` twin of a message remains."""
    assert [key for key in catalogue.all_keys() if key.endswith("_one")] == []


def test_n_marks_a_key_and_returns_it():
    assert N_("unit_g") == "unit_g" and has("unit_g") and not has("unit_nothing")


def test_the_english_of_import_problems_is_the_data_layers_sentence():
    from data.files.parsing import ENGLISH

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
        '    "nav_overview": ("Inicio", "Home"),\n'
        '    "problem_file_empty": ("el archivo está vacío", ""),\n'
        "}\n\n#: old names\nSOURCE_NAMES: dict[str, tuple[str, str]] = {\n"
        '    "trm": ("TRM oficial", "official TRM"),\n}\n\n\ndef kept():\n    return 1\n',
        encoding="utf-8",
    )
    changed = port_legacy(legacy)
    assert "added es zz_new" in changed and "changed en nav_overview" in changed
    assert t("zz_new", "es", name="Ana") == "Hola Ana" and t("zz_new", "en", name="Ana") == "Hello Ana"
    assert t("nav_overview", "es") == "Inicio"  # the newer wording wins
    assert t("problem_file_empty", "en") == "the file is empty"  # the data layer's English, kept
    assert t("source_trm", "es") == "TRM oficial" and "removed SOURCE_NAMES" in " ".join(changed)
    text = legacy.read_text(encoding="utf-8")
    assert "TEXTS: dict[str, tuple[str, str]] = {}\n" in text and "def kept():" in text
    assert "SOURCE_NAMES" not in text
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
            if name.split(".")[0] in ("ui", "presentation", "services", "app_pages", "streamlit")
        }
        assert above == set(), path


def keys_the_code_names() -> set[str]:
    """What `pybabel extract -F babel.cfg -k t:1 -k tn:1,1 -k N_` finds (tests/ are ignored by babel.cfg)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (PROJECT_ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"t": (1,), "tn": (1, 1), "N_": None}
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        str(PROJECT_ROOT),
        method_map,
        options_map,
        keywords=keywords,
        comment_tags=(),
        strip_comment_tags=True,
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_key_the_code_names_is_in_the_catalogue():
    missing = sorted(keys_the_code_names() - set(catalogue.all_keys()))
    assert missing == []


def test_every_key_of_the_catalogue_is_named_by_the_code():
    unused = sorted(set(catalogue.all_keys()) - keys_the_code_names())
    assert unused == [], "remove them (python -m i18n update) or name them with t()/tn()/N_()"


def key_arguments(path: Path) -> list[str]:
    """t()/tn() calls whose key is built at run time (an f-string, a concatenation, a call, a bare literal
    in a conditional) or that sit inside an f-string: pybabel cannot see such a key."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # pybabel on Python 3.11 cannot look inside an f-string
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in ("t", "tn")
                ):
                    found.append(f"{path.relative_to(PROJECT_ROOT)}:{inner.lineno}: inside an f-string")
        if not (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("t", "tn")
        ):
            continue
        if not node.args:
            continue
        key = node.args[0]
        bad = isinstance(key, ast.JoinedStr | ast.BinOp | ast.Call) and not (
            isinstance(key, ast.Call) and isinstance(key.func, ast.Name) and key.func.id == "N_"
        )
        if isinstance(key, ast.IfExp):
            branches = [key.body, key.orelse]
            while any(isinstance(b, ast.IfExp) for b in branches):
                branches = [
                    part
                    for b in branches
                    for part in ((b.body, b.orelse) if isinstance(b, ast.IfExp) else (b,))
                ]
            bad = any(
                not (isinstance(b, ast.Call) and isinstance(b.func, ast.Name) and b.func.id == "N_")
                for b in branches
            )
        if bad:
            found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {ast.unparse(key)}")
    return found


def test_no_key_is_built_at_run_time():
    """`t(f"country_{code}")` hides a key from every tool: use a table of N_() keys (i18n/keys.py)."""
    sources = [
        path
        for folder in (
            "analytics",
            "app_pages",
            "benchmarks",
            "data",
            "i18n",
            "presentation",
            "services",
            "ui",
        )
        for path in (PROJECT_ROOT / folder).rglob("*.py")
    ] + [PROJECT_ROOT / "cli.py", PROJECT_ROOT / "dashboard.py"]
    assert [found for path in sources for found in key_arguments(path)] == []


def test_a_key_built_at_run_time_would_be_caught(tmp_path):
    sample = PROJECT_ROOT / "tests" / "helpers" / "_built_keys_sample.py"
    sample.write_text(
        'a = t(f"country_{c}", lang)\nb = t("x" if c else "y", lang)\nc = t(N_("x") if c else N_("y"), lang)\n'
        'd = t(KEYS[c], lang)\ne = t("unit_" + u, lang)\nf = tn("sales_store", 2, lang)\ng = f"**{t(\'x\', lang)}**"\n',
        encoding="utf-8",
    )
    try:
        found = key_arguments(sample)
    finally:
        sample.unlink()
    assert sorted(line.split(":")[1] for line in found) == ["1", "2", "5", "7"]


def test_each_table_of_keys_covers_the_codes_of_the_layer_below():
    """A code the layer below can produce has a message: i18n/keys.py against the codes themselves."""
    from analytics.forecast import MODEL_NAMES
    from analytics.market import HORIZONS
    from analytics.premiums import CERTIFICATIONS
    from analytics.timing import HOLD, POLICIES, SELL_NOW, SELL_PART
    from analytics.units import UNITS
    from data.files.parsing import ENGLISH, UNIT_CAUSES_ENGLISH
    from data.ledger import FIELDS
    from data.market.market_data import REASON_CODES
    from data.market.series import CURRENCIES, fx_series_for
    from i18n import keys

    assert set(keys.COUNTRY) == set(CURRENCIES)
    assert set(keys.UNIT) == set(UNITS)
    assert set(keys.CERTIFICATION) == set(CERTIFICATIONS)
    assert set(keys.MODEL) == {*MODEL_NAMES, "auto"}
    assert set(keys.POLICY) == set(POLICIES)
    assert set(keys.RECOMMENDATION) == {SELL_NOW, SELL_PART, HOLD}
    assert set(keys.DEMO_REASON) == set(REASON_CODES)
    assert set(keys.PROBLEM) == set(ENGLISH)
    assert set(keys.UNIT_CAUSE) == set(UNIT_CAUSES_ENGLISH)
    assert set(FIELDS) <= set(keys.FIELD) and set(FIELDS) <= set(keys.PROBLEM_FIELD)
    assert set(keys.SERIES) == {
        "GOLD_USD",
        "SILVER_USD",
        *(fx_series_for(c) for c in CURRENCIES if c != "USD"),
    }
    assert set(HORIZONS) <= set(keys.HORIZON)  # and 6M, a button of the range selector
    tree = ast.parse((PROJECT_ROOT / "analytics" / "timing.py").read_text(encoding="utf-8"))
    reasons = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Reason"
        and isinstance(node.args[0], ast.Constant)
    }  # fmt: skip
    assert reasons and reasons == set(keys.REASON)
    tables = [table for name, table in vars(keys).items() if name.isupper() and isinstance(table, dict)]
    every = [key for table in tables for key in table.values()]
    assert [key for key in every if not has(key)] == []


def test_mongolian_numbers_dates_and_the_togrog_are_babels_mn():
    """Babel's mn locale: the tögrög's sign ₮ first, comma thousands, year-first dates; the chart's fast
    date labels read as format_day does; a tögrög link opens in Mongolian."""
    from datetime import date

    import pandas as pd

    from i18n import (
        day_labels,
        default_language,
        format_day,
        format_grams,
        format_money,
        format_pct,
        format_points,
        month_label,
    )

    assert format_money(1_234_567.5, "MNT", "mn") == "₮ 1,234,568"  # whole tögrög above 1,000
    assert format_money(12.5, "USD", "mn") == "$ 12.50"
    assert format_day(date(2024, 5, 10), "mn") == "2024\u202fоны 5-р сарын 10"
    assert day_labels(pd.DatetimeIndex(["2024-05-10"]), "mn") == [format_day(date(2024, 5, 10), "mn")]
    assert month_label(date(2026, 10, 3), "mn") == "Аравдугаар сар 2026"
    assert format_pct(4.2, "mn") == "+4.2%" and format_points(-6.0, "mn") == "-6.0пп"
    assert format_grams(5470.94, "mn") == "5,470.9 г" and format_grams(5470.94, "es") == "5.470,9 g"
    assert default_language("MNT") == "mn" and default_language("COP") == "es"
