"""The words of the dashboard, on their own floor: catalogues, `t()`/`tn()`, and the Babel formats.

Below services: the pages (app_pages/, ui/), the services, the CLI and the e-mails all read their words
and number/date formats from here; this package imports nothing of ours but `data.files.parsing` (the English
of import problems) and, for types only, analytics.

- `i18n/locale/es/LC_MESSAGES/messages.po` and `.../en/...`: the catalogues, gettext files a translator
  edits in Poedit or Weblate. The msgid is the key the code names; each language's msgstr its text.
  They are read at run time with Babel (no compile step, nothing compiled in the repository).
- `t(key, lang, **values)`: a message; `tn(key, count, lang, **values)`: its plural form (ngettext).
- `N_(key)`: marks a key chosen at run time from a table (`UNIT_KEYS = {"g": N_("unit_g"), ...}`), so
  tools see every key the code uses; never build a key with an f-string.
- `i18n.formats`: money, numbers, percentages, dates; `i18n.codes`: codes (import problems, errors,
  reasons, sources, series, units) in words.

**Adding a message** (one command writes it into both .po files, sorted, as pybabel would):

    python -m i18n add sales_hint "Texto en español con {n}" "English text with {n}"
    python -m i18n add sales_count "{count} venta" "{count} ventas" "{count} sale" "{count} sales" --plural

then `t("sales_hint", lang, n=3)` or `tn("sales_count", n, lang)`. Editing both .po files by hand (a
`msgid`/`msgstr` pair in each) is the same. `python -m i18n port-legacy` moves (es, en) pairs left in
ui/i18n.py's old `TEXTS` dict into the catalogues (after a merge). See i18n/README.md.
"""

from i18n.catalogue import LANGUAGE_NAMES, LANGUAGES, N_, all_keys, has, t, tn
from i18n.codes import (
    REASON_PARAMS,
    REASON_PCT_DIGITS,
    error_text,
    fetch_failure_text,
    fetch_result_text,
    fetch_source_name,
    flags_text,
    format_label,
    held_back_text,
    horizon_label,
    offer_error_text,
    problem_text,
    rate_kind_label,
    rate_kind_text,
    rate_kinds_text,
    reason_text,
    series_label,
    source_label,
    source_spans_text,
    unit_label,
)
from i18n.formats import (
    DATE_INPUT_FORMAT,
    ENGLISH_MONTHS,
    SPANISH_LOCALE_BY_CURRENCY,
    SPANISH_MONTHS,
    day_labels,
    default_language,
    format_day,
    format_grams,
    format_money,
    format_number,
    format_pct,
    format_points,
    gram_sign,
    money_digits,
    month_label,
    month_names,
    number_locale,
    plotly_separators,
    reading_for,
    set_reader_currency,
)

__all__ = [
    "format_label",
    "reading_for",
    "set_reader_currency",
    "DATE_INPUT_FORMAT",
    "ENGLISH_MONTHS",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "REASON_PARAMS",
    "REASON_PCT_DIGITS",
    "SPANISH_LOCALE_BY_CURRENCY",
    "SPANISH_MONTHS",
    "day_labels",
    "default_language",
    "error_text",
    "fetch_failure_text",
    "fetch_result_text",
    "fetch_source_name",
    "flags_text",
    "held_back_text",
    "rate_kind_label",
    "rate_kind_text",
    "rate_kinds_text",
    "format_day",
    "format_grams",
    "format_money",
    "format_number",
    "format_pct",
    "format_points",
    "gram_sign",
    "has",
    "horizon_label",
    "all_keys",
    "money_digits",
    "month_label",
    "month_names",
    "number_locale",
    "offer_error_text",
    "plotly_separators",
    "problem_text",
    "reason_text",
    "series_label",
    "source_label",
    "source_spans_text",
    "t",
    "tn",
    "unit_label",
]
