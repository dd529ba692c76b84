"""The market series the dashboard knows: ids, Yahoo tickers, units and the currency each one prices.

Pure catalogue: no I/O. Series ids are the CLI's and the store's names for the series.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.units import UNITS


@dataclass(frozen=True)
class SeriesInfo:
    series_id: str
    yahoo_ticker: str
    unit: str
    description: str
    currency: str | None = None  # the local currency an FX series converts USD into
    decimals: int = 2  # as its source publishes it (TRM 2, BCRP 3): shown so, a formula reproduces the price


SERIES: dict[str, SeriesInfo] = {
    info.series_id: info
    for info in (
        SeriesInfo("GOLD_USD", "GC=F", "USD/oz", "Gold, USD per troy ounce"),
        SeriesInfo("SILVER_USD", "SI=F", "USD/oz", "Silver, USD per troy ounce"),
        SeriesInfo("USD_COP", "COP=X", "COP/USD", "Colombian pesos per US dollar", "COP"),
        SeriesInfo("USD_PEN", "PEN=X", "PEN/USD", "Peruvian soles per US dollar", "PEN", decimals=3),
        SeriesInfo("USD_BOB", "BOB=X", "BOB/USD", "Bolivianos per US dollar", "BOB"),
        SeriesInfo("USD_MNT", "MNT=X", "MNT/USD", "Mongolian tögrög per US dollar", "MNT"),
    )
}

#: Currencies a user can pick, with the country the dashboard shows them for.
CURRENCIES: dict[str, str] = {"COP": "CO", "PEN": "PE", "BOB": "BO", "USD": "EC", "MNT": "MN"}

GOLD_SERIES = "GOLD_USD"


def fx_series_for(currency: str) -> str | None:
    """Id of the FX series (local currency per USD) for `currency`; None for USD."""
    if currency == "USD":
        return None
    for info in SERIES.values():
        if info.currency == currency:
            return info.series_id
    raise ValueError(f"unknown currency {currency!r}; known: {', '.join(CURRENCIES)}")


def rate_decimals(currency: str) -> int:
    """Decimals of `currency`'s exchange rate as its source publishes it (2 for USD's unit rate)."""
    fx_id = fx_series_for(currency)
    return 2 if fx_id is None else SERIES[fx_id].decimals


def series_for_ticker(ticker: str) -> str | None:
    """Series id of a Yahoo ticker (None if the dashboard does not track it)."""
    for info in SERIES.values():
        if info.yahoo_ticker.upper() == ticker.upper():
            return info.series_id
    return None


def require_series(series_id: str) -> SeriesInfo:
    """The catalogue entry of `series_id`, or a ValueError naming the known ids."""
    try:
        return SERIES[series_id]
    except KeyError:
        raise ValueError(f"unknown series {series_id!r}; known: {', '.join(SERIES)}") from None


LOCAL_PRICE_PREFIX = "GOLD_"


def local_price_id(currency: str, unit: str = "g") -> str:
    """Id of a derived series: gold's benchmark price per `unit` in `currency`, e.g. GOLD_COP_G."""
    return f"{LOCAL_PRICE_PREFIX}{currency}_{unit}".upper()


def parse_local_price_id(series_id: str) -> tuple[str, str] | None:
    """(currency, unit) of a derived id such as GOLD_COP_G or GOLD_PEN_OZ; None for any other id."""
    parts = series_id.upper().split("_")
    if len(parts) != 3 or f"{parts[0]}_" != LOCAL_PRICE_PREFIX or parts[1] not in CURRENCIES:
        return None
    units = {unit.upper(): unit for unit in UNITS}
    return (parts[1], units[parts[2]]) if parts[2] in units else None
