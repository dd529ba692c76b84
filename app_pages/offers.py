"""Offers: the buyers' quotes for one lot, valued at the day's benchmark and ranked by present value.

Thin: the arithmetic is analytics/offers.py, the benchmark analytics/benchmark.py on the stored (or demo)
prices; this file reads the lot and the quotes, formats and draws. The quotes start from
st.session_state["offers_quotes"] when set (a table of QUOTE_COLUMNS), else from an empty table.
"""

import pandas as pd
import streamlit as st

from analytics.benchmark import StaleDataError, benchmark_price_per_fine_gram
from analytics.offers import DEFAULT_RATE_PCT_YEAR, OfferError, Quote, compare_offers
from data.exports import csv_bytes
from data.offer_quotes import QUOTE_COLUMNS
from i18n import (
    DATE_INPUT_FORMAT,
    N_,
    format_day,
    format_money,
    format_number,
    format_pct,
    offer_error_text,
    t,
)
from services.premiums import ALL_COOPERATIVES
from ui.banner import held_back_notice
from ui.inputs import number_field
from ui.settings import current_cooperative, current_settings
from ui.state import buyers_paid_before, price_answer_view
from ui.state import snapshot as market_snapshot
from ui.text import plain_markdown

#: The quote's columns (data.offer_quotes.QUOTE_COLUMNS) as headers.
QUOTE_COLUMN_KEYS = {
    "buyer": N_("offers_col_buyer"),
    "price_pct": N_("offers_col_price_pct"),
    "fee_per_g": N_("offers_col_fee_per_g"),
    "fixed_fee": N_("offers_col_fixed_fee"),
    "payment_days": N_("offers_col_payment_days"),
}


settings = current_settings()
lang, currency = settings.language, settings.currency

st.title(t("offers_title", lang))
st.caption(t("offers_intro", lang))

# --- the lot, the day and the rate
gross_column, fineness_column, date_column, rate_column = st.columns(4)
gross_g = number_field(
    t("offers_gross_g", lang),
    100.0,
    lang,
    key="offers_gross_g",
    digits=1,
    min_value=0.0,
    container=gross_column,
)
fineness = number_field(
    t("offers_fineness", lang),
    0.875,
    lang,
    key="offers_fineness",
    digits=3,
    min_value=0.0,
    max_value=1000.0,
    help=t("offers_fineness_help", lang),
    container=fineness_column,
)
today = pd.Timestamp.now().date()
latest = price_answer_view(currency, "g").rule  # the "as of" rule: the latest day with gold and a rate
opening_day = today if latest.day is None else latest.day.date()
day = date_column.date_input(  # its format follows the language, which makes Streamlit rebuild it:
    t("offers_date", lang),  # the day chosen is kept in offers_day so a language switch keeps it
    min(st.session_state.get("offers_day", opening_day), today),
    max_value=today,
    key="offers_date",
    format=DATE_INPUT_FORMAT[lang],
)
st.session_state["offers_day"] = day
rate = number_field(
    t("offers_rate", lang),
    DEFAULT_RATE_PCT_YEAR,
    lang,
    key="offers_rate",
    digits=1,
    min_value=0.0,
    max_value=200.0,
    help=t("offers_rate_help", lang),
    container=rate_column,
)

snapshot = market_snapshot()
if latest.day is None:  # no real rate beside real gold: no benchmark to value the quotes at
    held_back_notice(latest, lang)
    st.stop()
try:
    benchmark = benchmark_price_per_fine_gram(
        snapshot.gold_usd_per_oz, snapshot.fx_per_usd(currency), pd.Timestamp(day), currency=currency
    )
except StaleDataError:
    st.error(t("offers_no_benchmark", lang, day=format_day(day, lang), latest=format_day(latest.day, lang)))
    st.stop()

# --- the quotes: typed, or pasted from a spreadsheet
labels = {name: t(QUOTE_COLUMN_KEYS[name], lang) for name in QUOTE_COLUMNS}
start = st.session_state.get("offers_quotes")
if not isinstance(start, pd.DataFrame):
    start = pd.DataFrame(
        {name: pd.Series(dtype="str" if name == "buyer" else "float") for name in QUOTE_COLUMNS}
    )
st.subheader(t("offers_quotes", lang))
edited = st.data_editor(
    start[list(QUOTE_COLUMNS)],
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    key="offers_editor",
    column_config={
        "buyer": st.column_config.TextColumn(labels["buyer"]),
        "price_pct": st.column_config.NumberColumn(labels["price_pct"], min_value=0.0, max_value=200.0),
        "fee_per_g": st.column_config.NumberColumn(labels["fee_per_g"], min_value=0.0),
        "fixed_fee": st.column_config.NumberColumn(labels["fixed_fee"], min_value=0.0),
        "payment_days": st.column_config.NumberColumn(
            labels["payment_days"], min_value=0, max_value=365, step=1
        ),
    },
)

quotes: list[Quote] = []
for number, row in enumerate(edited.to_dict("records"), start=1):
    buyer = "" if pd.isna(row["buyer"]) else str(row["buyer"]).strip()
    if not buyer and all(pd.isna(row[name]) for name in QUOTE_COLUMNS[1:]):
        continue  # the editor's empty row
    values = {name: row[name] for name in QUOTE_COLUMNS[1:]}
    values.update({name: 0.0 for name in ("fee_per_g", "fixed_fee") if pd.isna(values[name])})
    missing = [name for name in ("price_pct", "payment_days") if pd.isna(values[name])]
    if missing:
        reason = t("offers_error_missing", lang, field=labels[missing[0]])
    else:
        quote = Quote(buyer, **{name: float(value) for name, value in values.items()})
        try:
            quote.check()
        except OfferError as error:
            reason = offer_error_text(error, lang)
        else:
            quotes.append(quote)
            continue
    st.warning(
        t(
            "offers_row_error",
            lang,
            row=number,
            buyer=plain_markdown(buyer or "–"),
            reason=reason,
        )
    )

if not quotes:
    st.info(t("offers_empty", lang))
    st.stop()
try:
    result = compare_offers(
        quotes, gross_g=gross_g, fineness=fineness, benchmark_price_per_g=benchmark.price, rate_pct_year=rate
    )
except OfferError as error:
    st.error(offer_error_text(error, lang))
    st.stop()

st.caption(
    t(
        "offers_benchmark",
        lang,
        day=format_day(day, lang),
        price=format_money(benchmark.price, currency, lang),
        gold_date=format_day(benchmark.gold_date, lang),
        fx_date=format_day(benchmark.fx_date or benchmark.gold_date, lang),
        fine=f"{format_number(result.fine_gold_g, lang, 2)} g",
        value=format_money(result.benchmark_value, currency, lang),
    )
)

# --- the answer first, then the detail
offers = result.offers
best = offers[0]
if len(offers) > 1:
    st.markdown(
        t(
            "offers_best",
            lang,
            buyer=plain_markdown(best.buyer),
            value=format_money(best.present_value, currency, lang),
            gap=format_money(-offers[1].difference_from_best, currency, lang),
            next=plain_markdown(offers[1].buyer),
        )
    )
    top_share = max(offers, key=lambda offer: offer.quote.price_pct)
    if top_share.rank > 1 and top_share.quote.price_pct > best.quote.price_pct:
        st.markdown(
            t(
                "offers_best_share_loses",
                lang,
                buyer=plain_markdown(top_share.buyer),
                pct=format_pct(top_share.quote.price_pct, lang, signed=False),
                rank=top_share.rank,
            )
        )
else:
    st.markdown(
        t(
            "offers_only",
            lang,
            buyer=plain_markdown(best.buyer),
            value=format_money(best.present_value, currency, lang),
        )
    )


def money(value: float) -> str:
    return format_money(value, currency, lang)


table = pd.DataFrame(
    [
        {
            t("offers_col_rank", lang): offer.rank,
            labels["buyer"]: offer.buyer,
            labels["price_pct"]: format_pct(offer.quote.price_pct, lang, signed=False),
            t("offers_col_price_per_fine_g", lang): money(offer.price_per_fine_g),
            t("offers_col_gross_value", lang): money(offer.gross_value),
            t("offers_col_fees", lang): money(offer.fees),
            t("offers_col_net_value", lang): money(offer.net_value),
            labels["payment_days"]: format_number(offer.quote.payment_days, lang, 0),
            t("offers_col_present_value", lang): money(offer.present_value),
            t("offers_col_difference", lang): "–" if offer.rank == 1 else money(offer.difference_from_best),
        }
        for offer in offers
    ]
)
# --- beside each known buyer, how it paid this cooperative before (stored sales the session may read)
cooperative = current_cooperative()
paid_before = [buyers_paid_before(cooperative).of(offer.buyer) for offer in offers]
if any(paid_before):
    table[t("offers_col_paid_before_pct", lang)] = [
        "–" if before is None else format_pct(before.buyer_price_pct_weighted, lang) for before in paid_before
    ]
    table[t("offers_col_paid_before_sales", lang)] = [
        "–" if before is None else format_number(before.sales, lang, 0) for before in paid_before
    ]
    table[t("offers_col_paid_before_owed", lang)] = [
        "–" if before is None else format_number(before.premium_owed_usd, lang, 0) for before in paid_before
    ]
st.dataframe(table, hide_index=True, width="stretch")
if any(paid_before):
    whose = t("offers_paid_before_all", lang) if cooperative == ALL_COOPERATIVES else cooperative
    st.caption(t("offers_paid_before", lang, cooperative=plain_markdown(whose)))

numbers = pd.DataFrame(
    [
        {
            t("offers_col_rank", lang): offer.rank,
            labels["buyer"]: offer.buyer,
            labels["price_pct"]: offer.quote.price_pct,
            labels["fee_per_g"]: offer.quote.fee_per_g,
            labels["fixed_fee"]: offer.quote.fixed_fee,
            labels["payment_days"]: offer.quote.payment_days,
            t("offers_col_price_per_fine_g", lang): offer.price_per_fine_g,
            t("offers_col_gross_value", lang): offer.gross_value,
            t("offers_col_fees", lang): offer.fees,
            t("offers_col_net_value", lang): offer.net_value,
            t("offers_col_present_value", lang): offer.present_value,
            t("offers_col_difference", lang): offer.difference_from_best,
        }
        for offer in offers
    ]
).set_index(t("offers_col_rank", lang))
st.download_button(
    t("offers_download_csv", lang),
    lambda: csv_bytes(numbers),
    f"ofertas_{currency}_{day:%Y-%m-%d}.csv" if lang == "es" else f"offers_{currency}_{day:%Y-%m-%d}.csv",
    "text/csv",
    key="offers_download",
)
