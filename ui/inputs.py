"""Number inputs written as the reader writes numbers: `1.000` and `0,5` in Spanish, `1,000` and `0.5` in
English (st.number_input only knows the printf format, which always writes `1000.00` and `0.50`)."""

from __future__ import annotations

from typing import Any

import streamlit as st
from babel.numbers import NumberFormatError, parse_decimal

from i18n import N_, format_number, number_locale, t


def number_field(
    label: str,
    value: float,
    lang: str,
    *,
    key: str,
    digits: int = 2,
    min_value: float | None = None,
    max_value: float | None = None,
    help: str | None = None,
    container: Any = st,
) -> float:
    """A text input showing `value` in the language's convention, read back with the same convention
    (Babel, strict: `2.0` is refused in Spanish rather than read as 20). A number it cannot read, or one
    outside the bounds, is said in words and the default is used."""
    text = container.text_input(label, format_number(value, lang, digits), key=key, help=help)
    try:
        number = float(parse_decimal(text.strip(), locale=number_locale(lang), strict=True))
    except (NumberFormatError, ValueError):
        container.error(t("number_unreadable", lang, text=text, example=format_number(1234.5, lang, 1)))
        return value
    low = -float("inf") if min_value is None else min_value
    high = float("inf") if max_value is None else max_value
    if not low <= number <= high:
        bounds = {"low": format_number(low, lang, 3).rstrip("0").rstrip(",."), "high": ""}
        if max_value is not None:
            bounds["high"] = format_number(high, lang, 3).rstrip("0").rstrip(",.")
        container.error(
            t(N_("number_outside") if max_value is not None else N_("number_at_least"), lang, **bounds)
        )
        return value
    return number
