"""The first sentence of the Premiums and Buyers pages, and an error ratio in words. Pure: no streamlit."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from i18n import (
    N_,
    format_day,
    format_grams,
    format_number,
    format_pct,
    rate_kind_text,
    rate_kinds_text,
    t,
    tn,
)

if TYPE_CHECKING:
    from analytics.premiums import PremiumSummary
    from services.buyers import BuyersView


def rate_kind_caption(
    currency: str, used: str, requested: str, prices_at_kinds: dict[str, float], lang: str
) -> str:
    """Which exchange rate a price used (and that it fell back), then the gram at each stored kind with the
    gap: "Tasa de cambio: oficial. A la tasa oficial: Bs 388; a la tasa referencial del BCB: Bs 517 (+33,9 %
    frente a la oficial)."."""
    text = rate_kind_text(used, requested, currency, lang)
    if prices_at_kinds:
        each = rate_kinds_text(currency, prices_at_kinds, lang)
        text += f" {each[:1].upper()}{each[1:]}."
    return text


def premiums_sentence(summary: PremiumSummary, owed: pd.DataFrame, lang: str) -> str:
    """The Premiums page's first line: what buyers paid against the benchmark, certified sales under the
    minimum, and the buyer who owes the most premium (each part only when it has something to say)."""
    parts = [
        t(
            "premiums_sentence_price",
            lang,
            share=format_pct(100 + summary.buyer_price_pct_weighted, lang, signed=False),
            median=format_pct(100 + summary.buyer_price_pct_median, lang, signed=False),
        )
    ]
    if summary.excluded_for_review:
        parts.append(tn("premiums_sentence_excluded", summary.excluded_for_review, lang))
    if summary.certified_sales:
        parts.append(
            tn(
                "premiums_sentence_minimum",
                summary.certified_sales,
                lang,
                below=summary.certified_below_minimum,
                certified=summary.certified_sales,
            )
        )
    if not owed.empty and owed["premium_owed_usd"].iloc[0] >= 1:
        top = owed.iloc[0]
        parts.append(
            t(
                "premiums_sentence_owed",
                lang,
                buyer=top["buyer"],
                owed=f"{format_number(top['premium_owed_usd'], lang, 0)} USD",
            )
        )
    return " ".join(parts)


def buyers_sentence(
    view: BuyersView, first: date, last: date, lang: str, user_text: Callable[[str], str] = str
) -> str:
    """The Buyers page's first line: how many buyers, the fine gold, who paid best and who owes the most
    premium (each part only when it has something to say). `user_text` is applied to the buyers' names
    (the page passes presentation.text.plain_markdown: a name is shown as text, never as a link)."""
    sold = [row for row in view.rows if row.sales]  # a member also gets buyers they never sold to
    priced = [row for row in sold if not math.isnan(row.buyer_price_pct_weighted)]
    if not priced:
        return ""
    best = max(priced, key=lambda row: row.buyer_price_pct_weighted)
    parts = [
        t(
            "buyers_sentence",
            lang,
            start=format_day(first, lang),
            end=format_day(last, lang),
            buyers=len(sold),
            fine=format_grams(sum(row.fine_gold_g for row in sold), lang),
            best=user_text(best.buyer),
            share=format_pct(100 + best.buyer_price_pct_weighted, lang, signed=False),
        )
    ]
    owing = max(sold, key=lambda row: row.premium_owed_usd)
    if owing.premium_owed_usd >= 1:
        owed = f"{format_number(owing.premium_owed_usd, lang, 0)} USD"
        parts.append(t("buyers_sentence_owed", lang, buyer=user_text(owing.buyer), owed=owed))
    return " ".join(parts)


def relative_error_text(ratio: float | None, lang: str) -> str:
    """An error ratio against "no change" in words: "un 12 % mayor que", "igual que" (never "1,000 veces",
    which a Spanish reader takes for a thousand)."""
    if ratio is None or pd.isna(ratio) or round((ratio - 1) * 100) == 0:
        return t("relative_same", lang)
    pct = format_pct(abs(ratio - 1) * 100, lang, digits=0, signed=False)
    return t(N_("relative_more") if ratio > 1 else N_("relative_less"), lang, pct=pct)
