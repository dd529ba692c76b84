"""Numbers, money, percentages and dates as each language writes them (Babel), for pages, files, the CLI
and e-mails alike. No streamlit import, no catalogue needed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

import pandas as pd
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal, get_currency_symbol

#: Spanish number conventions of the country whose currency is shown (Peru writes 1,234.56).
SPANISH_LOCALE_BY_CURRENCY = {"COP": "es_CO", "PEN": "es_PE", "BOB": "es_BO", "USD": "es_EC", "MNT": "es_CO"}

#: Streamlit date_input display formats: day first in Spanish, as written in Colombia and Peru; year first
#: with dots in Mongolian (CLDR's short date for mn, 2024.05.10).
DATE_INPUT_FORMAT = {"es": "DD/MM/YYYY", "en": "YYYY-MM-DD", "mn": "YYYY.MM.DD"}
#: The Babel locale of dates and month names in each language (Spanish numbers follow the reader's country).
DATE_LOCALE = {"es": "es_CO", "en": "en_US", "mn": "mn"}

SPANISH_MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic")
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


#: The country whose number convention a Spanish text follows, named by its currency: one locale per text.
#: Set for a page run (the sidebar's currency), an alert or a card (its currency); unset, each amount
#: follows its own currency's country and percentages Colombia's.
_READER_CURRENCY: ContextVar[str | None] = ContextVar("reader_currency", default=None)


def set_reader_currency(currency: str | None) -> None:
    """Every number written from here on in this context (a page run) follows `currency`'s country:
    for a reader in Peru `S/ 279.98`, `US$ 74.84` and `-6.3 %` alike, never `US$ 74,84` beside them."""
    _READER_CURRENCY.set(currency)


@contextmanager
def reading_for(currency: str | None) -> Iterator[None]:
    """`set_reader_currency` for one text (an e-mail, a card, a country's sentence), then back."""
    token = _READER_CURRENCY.set(currency)
    try:
        yield
    finally:
        _READER_CURRENCY.reset(token)


def number_locale(lang: str, currency: str | None = None) -> str:
    if lang in ("en", "mn"):
        return DATE_LOCALE[lang]
    reader = _READER_CURRENCY.get()
    return SPANISH_LOCALE_BY_CURRENCY.get(reader or currency or "COP", "es_CO")


def money_digits(value: float) -> int:
    """Whole units for large amounts ($ 296.375), cents for small ones (S/ 412,35)."""
    return 0 if abs(value) >= 1000 else 2


def format_money(value: float | None, currency: str, lang: str, digits: int | None = None) -> str:
    """`$ 296.375` (es, COP), `US$ 4.050` (es, USD), `COP 296,375` (en), `₮ 1,234,567` (mn, Babel's mn
    pattern and sign); "–" for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    digits = money_digits(value) if digits is None else digits
    if currency == "USD" and lang == "es":  # "$" alone is the peso's sign in Colombia: US$ for dollars
        return "US$ " + format_number(value, lang, digits, currency)
    if lang == "es":  # the currency's own sign (S/ for soles), the reader's number convention
        sign = get_currency_symbol(currency, locale=SPANISH_LOCALE_BY_CURRENCY.get(currency, "es_CO"))
        number = format_number(abs(value), lang, digits, currency)
        return f"{'-' if value < 0 and number.strip('0,.') else ''}{sign} {number}"
    pattern = "¤ #,##0" + ("." + "0" * digits if digits else "")  # en and mn both write the sign first
    return format_currency(
        value, currency, format=pattern, locale=number_locale(lang, currency), currency_digits=False
    )


def format_number(value: float | None, lang: str, digits: int = 2, currency: str | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if round(value, digits) == 0:
        value = 0.0  # "-0,0" reads as a loss that is not there
    return format_decimal(value, format=pattern, locale=number_locale(lang, currency))


#: The gram's sign where a language writes its own (Mongolian: г); "g" otherwise.
GRAM_SIGN = {"mn": "г"}


def format_points(value: float | None, lang: str) -> str:
    """`+1,3 pp` (es), `+1.3pp` (en) or `+1.3пп` (mn): a change in percentage points."""
    return format_pct(value, lang).replace("%", "пп" if lang == "mn" else "pp")


def gram_sign(lang: str) -> str:
    """`g`, or `г` in Mongolian: after a weight, and in `COP / г` on a chart's axis."""
    return GRAM_SIGN.get(lang, "g")


def format_grams(value: float | None, lang: str, digits: int = 1) -> str:
    """`5.470,9 g` (es), `5,470.9 g` (en) or `5,470.9 г` (mn): a weight of gold as the reader writes it."""
    return f"{format_number(value, lang, digits)} {gram_sign(lang)}"


def format_pct(value: float | None, lang: str, digits: int = 1, signed: bool = True) -> str:
    """`+4,2 %` (es) or `+4.2%` (en, mn); "–" for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if round(value, digits) == 0:
        value, signed = 0.0, False  # "-0,00 %" reads as a loss that is not there; zero has no sign
    pattern = ("+" if signed else "") + "#,##0" + ("." + "0" * digits if digits else "")
    if signed:
        pattern += ";-#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(value, format=pattern, locale=number_locale(lang))
    return f"{text} %" if lang == "es" else f"{text}%"


def format_day(day: date | datetime | pd.Timestamp | None, lang: str) -> str:
    """`10 may 2024` (es), `May 10, 2024` (en) or `2024 оны 5-р сарын 10` (mn)."""
    if day is None or pd.isna(day):
        return "–"
    value = pd.Timestamp(day).date()
    if lang in ("en", "mn"):
        return babel_format_date(value, format="medium", locale=DATE_LOCALE[lang])
    return babel_format_date(value, format="d MMM y", locale="es_CO")


def day_labels(index: pd.DatetimeIndex, lang: str) -> list[str]:
    """Vectorised date labels for chart hovers (Babel per point is too slow for long series)."""
    if lang == "mn":  # Babel's medium date: 2024 оны 5-р сарын 10
        return [
            f"{y}\u202fоны {m}-р сарын {d}"
            for y, m, d in zip(index.year, index.month, index.day, strict=True)
        ]
    months = ENGLISH_MONTHS if lang == "en" else SPANISH_MONTHS
    names = [months[m - 1] for m in index.month]
    if lang == "en":
        return [f"{name} {d}, {y}" for name, d, y in zip(names, index.day, index.year, strict=True)]
    return [f"{d} {name} {y}" for name, d, y in zip(names, index.day, index.year, strict=True)]


def plotly_separators(lang: str, currency: str | None = None) -> str:
    """Plotly's layout.separators (decimal mark, then thousands) for the user's number convention."""
    sample = format_decimal(1234.5, format="#,##0.0", locale=number_locale(lang, currency))
    return sample[-2] + sample[1]


def month_names(lang: str) -> list[str]:
    """Short month names, January first: ene…dic, Jan…Dec or 1-р сар…12-р сар."""
    if lang == "mn":
        return [f"{m}-р сар" for m in range(1, 13)]
    return list(SPANISH_MONTHS if lang == "es" else ENGLISH_MONTHS)


def default_language(currency: str) -> str:
    """Spanish for the Latin American currencies (USD here is Ecuador's), Mongolian for the tögrög, English
    otherwise."""
    if currency == "MNT":
        return "mn"
    return "es" if currency in ("COP", "PEN", "BOB", "USD") else "en"


def month_label(value: object, lang: str) -> str:
    """`octubre 2026` (es), `October 2026` (en) or `Аравдугаар сар 2026` (mn) for a month, a period or any day
    in it."""
    if value is None or (not isinstance(value, pd.Period) and pd.isna(value)):
        return "–"
    day = value.start_time if isinstance(value, pd.Period) else pd.Timestamp(str(value))
    return babel_format_date(day.date(), format="LLLL y", locale=DATE_LOCALE.get(lang, "es_CO"))
