"""The light price card (static HTML, no script, a few KB) and the short WhatsApp text of the day's price.

Both from services.price_today's answer, in the reader's language through i18n's Babel helpers;
the card is rendered by Jinja2 with autoescape on. No streamlit import, no I/O but writing the card.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote as url_quote

from jinja2 import Environment, FileSystemLoader

from data.market.rate_kinds import OFFICIAL, RateKindChoice
from data.market.series import GOLD_SERIES, fx_series_for, rate_decimals
from data.settings import practice_advice
from data.store import MarketStore
from i18n import (
    N_,
    format_day,
    format_money,
    format_number,
    format_pct,
    rate_kind_text,
    reading_for,
    t,
    unit_label,
)
from i18n import source_label as reader_source_label
from i18n.keys import COUNTRY
from services.price_today import PriceToday, price_today

#: The card's budget on a rural connection (issue 17): the page, with nothing else to fetch.
MAX_CARD_BYTES = 100_000
WHATSAPP_URL = "https://wa.me/"

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def source_label(source: str, lang: str) -> str:
    """`yahoo:GC=F` → "Yahoo Finance GC=F", `import:gold.csv` → "archivo gold.csv"; others as stored."""
    kind, _, name = source.partition(":")
    if kind == "yahoo" and name:
        return t("source_yahoo", lang, ticker=name)
    if kind == "import" and name:
        return t("source_import", lang, name=name)
    return reader_source_label(source, lang)  # lbma → "oro, fijación LBMA", trm → "TRM oficial"


def shown_units(unit: str) -> list[str]:
    """The gram always, and the chosen unit beside it (the castellano when the gram was chosen)."""
    return ["g", "castellano"] if unit == "g" else ["g", unit]


def _share(share: float, lang: str) -> str:
    return format_pct(share * 100, lang, digits=0, signed=False)


def price_day_words(quote: PriceToday, lang: str) -> str:
    """The price's own day, and its age when old ("del 25 ago 2025 — hace 469 días: no es el precio de
    hoy"): a forwarded text or e-mail never reads as today's price when it is not (issue 30)."""
    day = format_day(quote.date, lang)
    if quote.stale:
        return t("price_day_old", lang, date=day, days=format_number(quote.age_days, lang, digits=0))
    return t(N_("price_day_today") if quote.age_days == 0 else N_("price_day_of"), lang, date=day)


def sources_sentence(quote: PriceToday, lang: str) -> str:
    """Gold and exchange rate used, with their dates and sources, and the rule (one sentence), then which
    kind of exchange rate (official, reference, market) priced it."""
    if fx_series_for(quote.currency) is None:
        return _sources_sentence(quote, lang)
    kind = quote.rate_kind
    return (
        f"{_sources_sentence(quote, lang)} {rate_kind_text(kind.used, kind.requested, quote.currency, lang)}"
    )


def _sources_sentence(quote: PriceToday, lang: str) -> str:
    gold = format_number(quote.gold_usd_per_oz, lang, digits=2, currency=quote.currency)
    gold_source = source_label(quote.sources.get(GOLD_SERIES, "?"), lang)
    fx_id = fx_series_for(quote.currency)
    if fx_id is None:
        return t(
            "card_sources_usd",
            lang,
            gold=gold,
            gold_date=format_day(quote.gold_date, lang),
            gold_source=gold_source,
        )
    return t(
        "card_sources",
        lang,
        gold=gold,
        gold_date=format_day(quote.gold_date, lang),
        gold_source=gold_source,
        currency=quote.currency,
        fx=format_number(quote.fx, lang, digits=rate_decimals(quote.currency), currency=quote.currency),
        fx_date=format_day(quote.fx_date, lang),
        fx_source=source_label(quote.sources.get(fx_id, "?"), lang),
    )


def card_html(quote: PriceToday, lang: str, *, generated: date | None = None) -> str:
    """The card as one self-contained HTML page: no script, no image, no external file; every number
    in the convention of the currency's country."""
    with reading_for(quote.currency):
        return _card_html(quote, lang, generated=generated)


def _card_html(quote: PriceToday, lang: str, *, generated: date | None = None) -> str:
    rows = []
    for unit in shown_units(quote.unit):
        buyer_price = quote.buyer_price_of(unit)
        rows.append(
            {
                "label": t("card_of_unit", lang, unit=unit_label(unit, lang)),
                "price": format_money(quote.price_of(unit), quote.currency, lang),
                "buyer": None
                if buyer_price is None or quote.buyer_share is None
                else t("card_buyer", lang, buyer=quote.buyer_name, share=_share(quote.buyer_share, lang))
                + ": "
                + format_money(buyer_price, quote.currency, lang),
            }
        )
    return _TEMPLATES.get_template("card.html").render(
        lang=lang,
        title=t("card_title", lang),
        currency_name=t(COUNTRY[quote.currency], lang),
        date=format_day(quote.date, lang),
        date_line=t("card_date", lang, date=format_day(quote.date, lang)),
        advice=practice_advice(lang),
        stale=t("card_stale", lang, days=format_number(quote.age_days, lang, digits=0))
        if quote.stale
        else None,
        rows=rows,
        week_label=t("change_1w", lang),
        week=format_pct(quote.week_change_pct, lang),
        sources=sources_sentence(quote, lang),
        generated=t("card_generated", lang, day=format_day(generated or date.today(), lang)),
    )


@dataclass(frozen=True)
class CardFile:
    file: str
    bytes: int
    price: float
    date: str
    rate_kind: RateKindChoice = RateKindChoice(OFFICIAL, OFFICIAL)

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "bytes": self.bytes,
            "price": self.price,
            "date": self.date,
            **self.rate_kind.as_json(),
        }


def write_card(
    store: MarketStore,
    currency: str,
    unit: str,
    lang: str,
    out: Path,
    *,
    as_of: object = None,
    rate_kind: str | None = None,
) -> CardFile:
    """Render the card for the stored price as of `as_of` (default today) at `rate_kind` (default: the
    setting's) and write it to `out`."""
    quote = price_today(store, currency, unit, as_of=as_of, rate_kind=rate_kind)
    payload = card_html(quote, lang).encode("utf-8")
    if len(payload) > MAX_CARD_BYTES:  # a template change that breaks the budget must not ship silently
        raise ValueError(f"the card is {len(payload)} bytes, over the {MAX_CARD_BYTES} byte budget")
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_bytes(payload)
    temporary.replace(out)  # the web server never serves half a card
    return CardFile(str(out), len(payload), quote.price, f"{quote.date:%Y-%m-%d}", quote.rate_kind)


def whatsapp_text(quote: PriceToday, lang: str = "es") -> str:
    """The day's price in one or two short lines in the reader's language (for a wa.me link), dated and
    aged, with the operator's advice line when one is set."""
    with reading_for(quote.currency):
        return _whatsapp_text(quote, lang)


def _whatsapp_text(quote: PriceToday, lang: str = "es") -> str:
    other = ""
    if quote.unit != "g" or quote.currency == "COP":
        extra = shown_units(quote.unit)[1]
        other = t(
            "whatsapp_other_unit",
            lang,
            unit=unit_label(extra, lang).split(" (")[0],
            price=format_money(quote.price_of(extra), quote.currency, lang),
        )
    buyer = ""
    buyer_gram = quote.buyer_price_of("g")
    if buyer_gram is not None and quote.buyer_name is not None and quote.buyer_share is not None:
        buyer = t(
            "whatsapp_buyer",
            lang,
            buyer=f"{quote.buyer_name} ({_share(quote.buyer_share, lang)})",
            price=format_money(buyer_gram, quote.currency, lang),
        )
    week = "–" if math.isnan(quote.week_change_pct) else format_pct(quote.week_change_pct, lang)
    text = t(
        "whatsapp_text",
        lang,
        date=price_day_words(quote, lang),
        gram=format_money(quote.price_of("g"), quote.currency, lang),
        other=other,
        buyer=buyer,
        week=week,
    )
    advice = practice_advice(lang)
    return text if advice is None else f"{text}\n{advice}"


def whatsapp_link(text: str) -> str:
    """https://wa.me/?text=… : WhatsApp opens with the text ready to send to any chat."""
    return f"{WHATSAPP_URL}?text={url_quote(text, safe='')}"
