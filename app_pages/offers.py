"""Offers: the buyers' quotes for one lot, valued at the day's benchmark and ranked by present value.

Thin: the arithmetic is analytics/offers.py, the benchmark analytics/benchmark.py on the stored (or demo)
prices; this file reads the lot and the quotes, formats and draws. The quotes are
st.session_state["offers_quotes"] (a table of QUOTE_COLUMNS; empty at first): a short form adds one at a
time and each is shown as a card with its remove button, so the page works on a phone's width.
"""

import pandas as pd
import streamlit as st

from analytics.benchmark import StaleDataError, benchmark_price_per_fine_gram
from analytics.offers import OfferError, Quote, compare_offers
from data.files.exports import csv_bytes
from data.ledger.offer_quotes import QUOTE_COLUMNS
from data.settings import discount_rate_pct
from i18n import (
    DATE_INPUT_FORMAT,
    N_,
    format_day,
    format_grams,
    format_money,
    format_number,
    format_pct,
    offer_error_text,
    t,
)
from presentation.tables import file_label
from presentation.text import plain_markdown
from services.premiums import ALL_COOPERATIVES
from ui.banner import data_as_of, held_back_notice, rate_kind_notice
from ui.inputs import number_field, parse_number
from ui.page import page_setup
from ui.settings import current_cooperative
from ui.state import buyers_paid_before, price_answer_view
from ui.state import snapshot as market_snapshot
from ui.style import fitted_table

#: The quote's columns (data.ledger.offer_quotes.QUOTE_COLUMNS) as headers.
QUOTE_COLUMN_KEYS = {
    "buyer": N_("offers_col_buyer"),
    "price_pct": N_("offers_col_price_pct"),
    "fee_per_g": N_("offers_col_fee_per_g"),
    "fixed_fee": N_("offers_col_fixed_fee"),
    "payment_days": N_("offers_col_payment_days"),
}


#: A review flag of an offer (analytics.offers.OFFER_FLAGS) in words
OFFER_FLAG_KEYS = {
    "price_above_105": N_("offers_flag_price_above_105"),
    "fees_above_value": N_("offers_flag_fees_above_value"),
}

lang, currency, _ = page_setup(N_("offers_title"), N_("offers_intro"))

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
    discount_rate_pct(),
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
data_as_of(latest.freshness, lang)  # an old latest price says so, as the Overview does
held_back_notice(latest, lang)
try:
    benchmark = benchmark_price_per_fine_gram(
        snapshot.gold_usd_per_oz, snapshot.fx_per_usd(currency), pd.Timestamp(day), currency=currency
    )
except StaleDataError:
    st.error(t("offers_no_benchmark", lang, day=format_day(day, lang), latest=format_day(latest.day, lang)))
    st.stop()
rate_kind_notice(snapshot, currency, lang)  # the benchmark's exchange rate: official, reference or market

# --- the quotes: one at a time in a short form (a phone's width), each shown as a card
labels = {name: t(QUOTE_COLUMN_KEYS[name], lang) for name in QUOTE_COLUMNS}
stored_quotes = st.session_state.get("offers_quotes")
entered: pd.DataFrame = (
    stored_quotes
    if isinstance(stored_quotes, pd.DataFrame)
    else pd.DataFrame(
        {name: pd.Series(dtype="str" if name == "buyer" else "float") for name in QUOTE_COLUMNS}
    )
)
entered = entered[list(QUOTE_COLUMNS)].reset_index(drop=True)


def add_quote() -> None:
    """Form callback: the typed quote becomes one more row (numbers read as the language writes them)."""
    state = st.session_state
    row: dict[str, object] = {"buyer": str(state.get("offer_new_buyer", "")).strip()}
    for name in QUOTE_COLUMNS[1:]:
        text = str(state.get(f"offer_new_{name}", "")).strip()
        number = parse_number(text, lang) if text else None
        if text and number is None:
            state["offers_form_error"] = t(
                "number_unreadable", lang, text=text, example=format_number(1234.5, lang, 1)
            )
            return
        row[name] = float("nan") if number is None else number
    quotes_so_far = state.get("offers_quotes")
    base = quotes_so_far if isinstance(quotes_so_far, pd.DataFrame) else entered.iloc[0:0]
    state["offers_quotes"] = pd.concat([base, pd.DataFrame([row])], ignore_index=True)
    for name in QUOTE_COLUMNS:
        state[f"offer_new_{name}"] = ""
    state["offers_form_error"] = None


def remove_quote(position: int) -> None:
    state = st.session_state
    state["offers_quotes"] = entered.drop(index=position).reset_index(drop=True)


st.subheader(t("offers_quotes", lang))
with st.form("offers_form", border=True):
    st.text_input(labels["buyer"], key="offer_new_buyer")
    share_column, days_column = st.columns(2)
    share_column.text_input(
        labels["price_pct"], key="offer_new_price_pct", placeholder=format_number(97.5, lang, 1)
    )
    days_column.text_input(labels["payment_days"], key="offer_new_payment_days", placeholder="0")
    per_gram_column, per_lot_column = st.columns(2)
    per_gram_column.text_input(labels["fee_per_g"], key="offer_new_fee_per_g", placeholder="0")
    per_lot_column.text_input(labels["fixed_fee"], key="offer_new_fixed_fee", placeholder="0")
    st.form_submit_button(t("offers_add", lang), on_click=add_quote, icon=":material/add:")
if st.session_state.get("offers_form_error"):
    st.error(st.session_state["offers_form_error"])


def charge(value: object) -> str:
    """A blank charge is no charge: "$ 0", not "$ 0,00"."""
    amount = 0.0 if pd.isna(value) else float(value)  # type: ignore[arg-type]
    return format_money(amount, currency, lang, digits=0 if amount == 0 else None)


def number_or_dash(value: object, digits: int) -> str:
    return "–" if pd.isna(value) else format_number(float(value), lang, digits)  # type: ignore[arg-type]


for position, row in entered.iterrows():
    with st.container(border=True):
        name_column, remove_column = st.columns([4, 1], vertical_alignment="center")
        buyer_name = "" if pd.isna(row["buyer"]) else str(row["buyer"])
        name_column.markdown(f"**{plain_markdown(buyer_name or '–')}**")
        remove_column.button(
            t("offers_remove", lang),
            key=f"offer_remove_{position}",
            on_click=remove_quote,
            args=(position,),
            icon=":material/close:",
        )
        st.caption(
            t(
                "offers_card",
                lang,
                pct="–"
                if pd.isna(row["price_pct"])
                else format_pct(float(row["price_pct"]), lang, signed=False),
                per_g=charge(row["fee_per_g"]),
                per_lot=charge(row["fixed_fee"]),
                days=number_or_dash(row["payment_days"], 0),
            )
        )
edited = entered

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
        fine=format_grams(result.fine_gold_g, lang, 2),
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
            t("offers_col_flags", lang): "; ".join(t(OFFER_FLAG_KEYS[flag], lang) for flag in offer.flags)
            or "–",
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
fitted_table(
    table,
    [t("offers_col_rank", lang), labels["buyer"], t("offers_col_present_value", lang)],
    lang,
    key="offers_result",
)
st.caption(t("offers_rate_used", lang, rate=format_number(result.rate_pct_year, lang, 1)))
if any(offer.flags for offer in offers):
    st.warning(t("offers_flagged", lang, count=sum(1 for offer in offers if offer.flags)))
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
            t("offers_col_flags", lang): "; ".join(t(OFFER_FLAG_KEYS[flag], lang) for flag in offer.flags),
        }
        for offer in offers
    ]
).set_index(t("offers_col_rank", lang))
st.download_button(
    t("offers_download_csv", lang),
    lambda: csv_bytes(numbers),
    f"{file_label('offers', lang)}_{currency}_{day:%Y-%m-%d}.csv",
    "text/csv",
    key="offers_download",
)
