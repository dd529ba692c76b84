"""Buyers' offers for one lot compared on what the cooperative keeps, today.

Pure: a lot, the day's benchmark price of a fine gram and the quotes in; numbers out (no I/O, no
prose: i18n writes the words). For each quote:

    price per fine gram = benchmark × price_pct / 100
    gross value         = fine grams × price per fine gram        (fine grams = gross grams × fineness)
    fees                = fee_per_g × gross grams + fixed_fee
    net value           = gross value − fees
    present value       = net value ÷ (1 + rate × payment_days / 365)   (simple interest, rate a year)

Ranked by present value, best first; the difference from the best is in the lot's currency.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.errors import CodedError
from analytics.premiums import IMPLAUSIBLE_HIGH, IMPLAUSIBLE_LOW
from analytics.units import normalise_fineness

DAYS_PER_YEAR = 365
#: A quoted share of the benchmark outside 30–200 % is a typo (0.975 for 97.5, 9750), as for sales.
MIN_PRICE_PCT, MAX_PRICE_PCT = IMPLAUSIBLE_LOW * 100, IMPLAUSIBLE_HIGH * 100
MAX_PAYMENT_DAYS = 365
#: Present value needs a rate; 0 means "no discounting" (the user sets theirs on the page or the CLI).
DEFAULT_RATE_PCT_YEAR = 0.0


class OfferError(CodedError):
    """An input the comparison cannot use: `code` names the field; `low`–`high` is the range it must be in
    (None: no bound; `strict`: the low bound itself is refused). i18n words it for the page; str() is
    the CLI's one-line reason."""

    def __init__(
        self,
        code: str,
        value: object,
        low: float | None = None,
        high: float | None = None,
        strict: bool = False,
    ) -> None:
        if low is None:
            reason = "missing"
        elif high is not None:
            reason = f"is outside {low:g}–{high:g}"
        else:
            reason = f"must be more than {low:g}" if strict else f"must be {low:g} or more"
        super().__init__(f"{code} {value!r} {reason}", code, value=value, low=low, high=high)
        self.value, self.low, self.high, self.strict = value, low, high, strict


@dataclass(frozen=True)
class Quote:
    """One buyer's terms: share of the benchmark paid for fine gold, charges, days until the money arrives."""

    buyer: str
    price_pct: float
    fee_per_g: float = 0.0  # per gross gram, in the lot's currency
    fixed_fee: float = 0.0  # per lot, in the lot's currency
    payment_days: float = 0.0

    def check(self) -> None:
        """OfferError naming the first field out of range."""
        if not self.buyer.strip():
            raise OfferError("buyer", self.buyer)
        if not MIN_PRICE_PCT <= self.price_pct <= MAX_PRICE_PCT:
            raise OfferError("price_pct", self.price_pct, MIN_PRICE_PCT, MAX_PRICE_PCT)
        if not self.fee_per_g >= 0:
            raise OfferError("fee_per_g", self.fee_per_g, 0)
        if not self.fixed_fee >= 0:
            raise OfferError("fixed_fee", self.fixed_fee, 0)
        if not 0 <= self.payment_days <= MAX_PAYMENT_DAYS:
            raise OfferError("payment_days", self.payment_days, 0, MAX_PAYMENT_DAYS)


@dataclass(frozen=True)
class OfferValue:
    """What one quote leaves the cooperative, in the lot's currency."""

    quote: Quote
    price_per_fine_g: float
    gross_value: float
    fees: float
    net_value: float
    present_value: float
    rank: int  # 1 = the highest present value
    difference_from_best: float  # present value − the best present value (0 for the best, else < 0)

    @property
    def buyer(self) -> str:
        return self.quote.buyer

    def as_json(self) -> dict[str, object]:
        """The CLI's fields."""
        return {
            "buyer": self.buyer,
            "price_per_fine_g": self.price_per_fine_g,
            "gross_value": self.gross_value,
            "fees": self.fees,
            "net_value": self.net_value,
            "present_value": self.present_value,
            "rank": self.rank,
        }


@dataclass(frozen=True)
class OfferComparison:
    gross_g: float
    fineness: float  # as a fraction
    fine_gold_g: float
    benchmark_price_per_g: float
    rate_pct_year: float
    offers: list[OfferValue]  # best first

    @property
    def benchmark_value(self) -> float:
        """The lot's fine gold at 100 % of the benchmark."""
        return self.fine_gold_g * self.benchmark_price_per_g


def present_value(amount: float, rate_pct_year: float, days: float) -> float:
    """`amount` paid in `days`, worth today at simple interest `rate_pct_year` % a year."""
    return amount / (1 + rate_pct_year / 100 * days / DAYS_PER_YEAR)


def compare_offers(
    quotes: list[Quote],
    *,
    gross_g: float,
    fineness: float,
    benchmark_price_per_g: float,
    rate_pct_year: float = DEFAULT_RATE_PCT_YEAR,
) -> OfferComparison:
    """Every quote valued for the lot and ranked by present value (ties keep the quotes' order)."""
    if not gross_g > 0:
        raise OfferError("gross_g", gross_g, 0, strict=True)
    try:
        fraction = normalise_fineness(fineness)
    except ValueError:
        raise OfferError("fineness", fineness, 0, 1000) from None
    if not benchmark_price_per_g > 0:
        raise OfferError("benchmark", benchmark_price_per_g, 0, strict=True)
    if not rate_pct_year >= 0:
        raise OfferError("rate_pct_year", rate_pct_year, 0)
    if not quotes:
        raise OfferError("quotes", len(quotes))
    fine = gross_g * fraction
    valued = []
    for quote in quotes:
        quote.check()
        price = benchmark_price_per_g * quote.price_pct / 100
        gross_value = fine * price
        fees = quote.fee_per_g * gross_g + quote.fixed_fee
        net = gross_value - fees
        valued.append(
            (quote, price, gross_value, fees, net, present_value(net, rate_pct_year, quote.payment_days))
        )
    order = sorted(range(len(valued)), key=lambda i: -valued[i][5])
    best = valued[order[0]][5]
    offers = [
        OfferValue(*valued[i], rank=rank, difference_from_best=valued[i][5] - best)
        for rank, i in enumerate(order, start=1)
    ]
    return OfferComparison(gross_g, fraction, fine, benchmark_price_per_g, rate_pct_year, offers)
