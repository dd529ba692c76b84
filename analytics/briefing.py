"""The numbers of a market briefing for one period: moves, the multi-country table, volatility and range,
notable days, and (when given) forecast, sell-timing and premium figures.

Pure: series and tables in, a Briefing of numbers out; the words are written from these numbers in
presentation/briefing_report.py, so the summary and the tables cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.benchmark import local_price_series
from analytics.errors import CodedError
from analytics.forecast import BacktestSummary
from analytics.market import annualised_volatility, decompose_local_move
from analytics.premiums import BANREP_BUY_SHARE
from analytics.timing import Signal

BRIEFING_CURRENCIES = ("COP", "PEN", "BOB", "USD", "MNT")
NOTABLE_DAYS = 3


class PeriodError(CodedError):
    """A period the briefing cannot read."""


def parse_period(text: str) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """'2024-05' (month), '2024-Q2' (quarter), '2024-W19' (ISO week), '2024' (year) or 'D1:D2' (custom).

    Returns (first day, last day, kind).
    """
    text = text.strip()
    if ":" in text:
        first, last = (pd.Timestamp(part) for part in text.split(":", 1))
        if last < first:
            raise PeriodError(f"the period ends before it starts: {text}", "period_reversed", text=text)
        return first.normalize(), last.normalize(), "custom"
    if match := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        period = pd.Period(f"{match[1]}Q{match[2]}", freq="Q")
        return period.start_time.normalize(), period.end_time.normalize(), "quarter"
    if match := re.fullmatch(r"(\d{4})-[Ww](\d{1,2})", text):
        first = pd.Timestamp.fromisocalendar(int(match[1]), int(match[2]), 1)
        return first, first + pd.Timedelta(days=6), "week"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        period = pd.Period(text, freq="M")
        return period.start_time.normalize(), period.end_time.normalize(), "month"
    if re.fullmatch(r"\d{4}", text):
        return pd.Timestamp(f"{text}-01-01"), pd.Timestamp(f"{text}-12-31"), "year"
    raise PeriodError(
        f"cannot read the period {text!r}: use 2024-05, 2024-Q2, 2024-W19, 2024 or 2024-05-01:2024-05-31",
        "period_unreadable",
        text=text,
    )


@dataclass
class CountryRow:
    currency: str
    price_per_g: float
    change_pct: float
    gold_contribution_pp: float
    fx_contribution_pp: float
    fx: float
    fx_change_pct: float
    price_date: pd.Timestamp
    buy_price_95: float | None = None  # Banco de la República style, Colombia only
    #: The first and last day of the period this country's data cover (its exchange rate's own dates).
    data_first: pd.Timestamp | None = None
    data_last: pd.Timestamp | None = None
    #: False when the exchange rate starts after the period's first gold close or ends before its last:
    #: the change is then over the covered part only, and every text says until when.
    complete: bool = True
    #: The exchange-rate kind the row is priced at (None for dollars), and where the currency has several
    #: kinds stored, the gram at each on `price_date` (official, reference, market).
    rate_kind: str | None = None
    price_at_kinds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class BriefingForecast:
    """Gold's forecast at the period's end, with the backtest skill it was chosen on."""

    model: str
    rmae: float | None
    coverage_80: float | None
    folds: int
    first_origin: pd.Timestamp
    last_origin: pd.Timestamp
    date: pd.Timestamp
    mean: float
    lo_80: float
    hi_80: float


@dataclass
class Briefing:
    start: pd.Timestamp
    end: pd.Timestamp
    kind: str
    gold_start: float
    gold_end: float
    gold_change_pct: float
    gold_first_date: pd.Timestamp
    gold_last_date: pd.Timestamp
    countries: list[CountryRow]
    volatility_pct: float
    volatility_percentile: float
    range_percentile_1y: float
    range_percentile_3y: float
    notable_days: list[tuple[pd.Timestamp, float]]
    gold_series: pd.Series
    local_series: dict[str, pd.Series]
    forecast: BriefingForecast | None = None
    timing: Signal | None = None  # the sell-timing reading as of the period's end
    premiums_by_cooperative: pd.DataFrame | None = None
    premiums_by_buyer: pd.DataFrame | None = None
    certification: pd.DataFrame | None = None
    under_minimum: pd.DataFrame | None = None
    sources: dict[str, str] = field(default_factory=dict)
    #: Series that are demo data (not real prices): a briefing made from any says so at its top.
    demo_series: list[str] = field(default_factory=list)
    #: The source(s) of each series used, as stored ("lbma, yahoo:GC=F"): named in the sources list.
    providers: dict[str, str] = field(default_factory=dict)
    #: Countries with no local price in the period, with the last day their exchange rate has (None: no
    #: real rate at all): named in the summary, never dropped without a word.
    missing_countries: list[tuple[str, pd.Timestamp | None]] = field(default_factory=list)

    def coverage(self) -> list[dict[str, object]]:
        """Per country: the first and last day its data cover in the period, and whether that is all of it."""
        return [
            {
                "currency": row.currency,
                "first": None if row.data_first is None else f"{row.data_first:%Y-%m-%d}",
                "last": None if row.data_last is None else f"{row.data_last:%Y-%m-%d}",
                "complete": row.complete,
            }
            for row in self.countries
        ]

    def country_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "currency": row.currency,
                    "price_per_g": row.price_per_g,
                    "change_pct": row.change_pct,
                    "gold_contribution_pp": row.gold_contribution_pp,
                    "fx_contribution_pp": row.fx_contribution_pp,
                    "fx_per_usd": row.fx,
                    "fx_change_pct": row.fx_change_pct,
                    "buy_price_95": row.buy_price_95,
                    "as_of": row.price_date.date(),
                }
                for row in self.countries
            ]
        )


def _percentile_of_last(values: pd.Series) -> float:
    clean = values.dropna()
    return float((clean <= clean.iloc[-1]).mean()) if len(clean) else float("nan")


def _country_row(
    currency: str, local: pd.DataFrame, first_date: pd.Timestamp, last_date: pd.Timestamp
) -> CountryRow:
    """One country's line: its price at the period's end, the move split into gold and the rate, and
    which days its rate covers."""
    move = decompose_local_move(local, first_date, last_date)
    last = local.loc[: move.end].iloc[-1]
    covered = local[local.index >= first_date]
    data_first = pd.Timestamp(covered["fx_date"].iloc[0])
    data_last = pd.Timestamp(covered["fx_date"].iloc[-1])
    complete = covered.index[0] <= first_date and covered.index[-1] >= last_date
    return CountryRow(
        currency=currency,
        price_per_g=float(last["price"]),
        change_pct=move.local_pct,
        gold_contribution_pp=move.gold_contribution_pp,
        fx_contribution_pp=move.fx_contribution_pp,
        fx=float(last["fx"]),
        fx_change_pct=move.fx_pct,
        price_date=pd.Timestamp(move.end),
        buy_price_95=float(last["price"]) * BANREP_BUY_SHARE if currency == "COP" else None,
        data_first=data_first,
        data_last=data_last,
        complete=bool(complete),
    )


def build_briefing(
    gold_usd_per_oz: pd.Series,
    fx_per_usd: dict[str, pd.Series],
    start: pd.Timestamp,
    end: pd.Timestamp,
    kind: str = "custom",
) -> Briefing:
    """Market numbers for [start, end] from data up to `end` (the period's last day with a price)."""
    gold = gold_usd_per_oz.dropna().sort_index()
    gold = gold[gold.index <= end]
    in_period = gold[gold.index >= start]
    if in_period.empty:
        raise PeriodError(
            f"no gold price between {start:%Y-%m-%d} and {end:%Y-%m-%d}",
            "no_gold_in_period",
            start=start,
            end=end,
        )
    before = gold[gold.index < start]
    first_date = before.index[-1] if len(before) else in_period.index[0]  # the close before the period
    last_date = in_period.index[-1]
    gold_start, gold_end = float(gold.loc[first_date]), float(gold.loc[last_date])
    countries: list[CountryRow] = []
    local_series: dict[str, pd.Series] = {}
    missing: list[tuple[str, pd.Timestamp | None]] = []
    for currency in BRIEFING_CURRENCIES:
        fx = None if currency == "USD" else fx_per_usd.get(currency)
        if currency != "USD" and (fx is None or fx.dropna().empty):
            missing.append((currency, None))
            continue
        local = local_price_series(gold, fx)
        local = local[local.index <= end].dropna(subset=["price"])
        if local.empty or local.index[-1] < start:
            rate_end = None if fx is None else fx.dropna().index[-1]
            missing.append((currency, None if rate_end is None else pd.Timestamp(rate_end)))
            continue
        countries.append(_country_row(currency, local, first_date, last_date))
        local_series[currency] = local["price"][local.index >= first_date]
    volatility = annualised_volatility(gold)
    returns = gold.pct_change() * 100
    period_returns = returns[(returns.index >= start) & (returns.index <= end)].dropna()
    notable = period_returns.reindex(period_returns.abs().sort_values(ascending=False).index[:NOTABLE_DAYS])
    return Briefing(
        start=start,
        end=end,
        kind=kind,
        gold_start=gold_start,
        gold_end=gold_end,
        gold_change_pct=(gold_end / gold_start - 1) * 100,
        gold_first_date=pd.Timestamp(first_date),
        gold_last_date=pd.Timestamp(last_date),
        countries=countries,
        volatility_pct=float(volatility.iloc[-1]) if len(volatility) else float("nan"),
        volatility_percentile=_percentile_of_last(volatility),
        range_percentile_1y=_percentile_of_last(gold.iloc[-252:]),
        range_percentile_3y=_percentile_of_last(gold.iloc[-756:]),
        notable_days=[(pd.Timestamp(day), float(value)) for day, value in notable.items()],
        gold_series=gold[gold.index >= first_date],
        local_series=local_series,
        missing_countries=missing,
    )


#: pandas period frequencies of the briefing's period kinds.
PERIOD_FREQ = {"week": "W-SUN", "month": "M", "quarter": "Q"}


def countries_by_period(
    gold_usd_per_oz: pd.Series, fx_per_usd: dict[str, pd.Series], kind: str
) -> pd.DataFrame:
    """Per period of `kind` from gold's first to its last day: how many countries have local prices over
    the whole of it (from its first to its last gold day; Ecuador's dollar wherever gold is), and
    whether it is complete (over by gold's last day). Columns countries, complete; a PeriodIndex."""
    freq = PERIOD_FREQ[kind]
    gold = gold_usd_per_oz.dropna().sort_index()
    if gold.empty:
        return pd.DataFrame({"countries": [], "complete": []}, index=pd.PeriodIndex([], freq=freq))
    days = pd.Series(gold.index, index=gold.index.to_period(freq))
    first_day, last_day = days.groupby(level=0).min(), days.groupby(level=0).max()
    counts = pd.Series(1, index=first_day.index)  # the dollar: priced wherever gold is
    for currency in BRIEFING_CURRENCIES:
        fx = fx_per_usd.get(currency)
        if currency == "USD" or fx is None or fx.dropna().empty:
            continue
        priced = local_price_series(gold, fx)["price"]
        priced_days = priced.index[priced.notna().to_numpy()]
        if priced_days.empty:
            continue
        covers = (first_day >= priced_days[0]) & (last_day <= priced_days[-1])
        counts += covers.astype(int)
    complete = counts.index.end_time.normalize() <= gold.index[-1]
    return pd.DataFrame({"countries": counts.to_numpy(), "complete": complete}, index=counts.index)


def default_period(coverage: pd.DataFrame) -> pd.Period | None:
    """The latest complete period with data for the most countries (the latest period when none is
    complete yet): a briefing that opens on a month where Colombia's rate has ended says little."""
    if coverage.empty:
        return None
    complete = coverage[coverage["complete"]]
    pool = complete if not complete.empty else coverage
    best = pool[pool["countries"] == pool["countries"].max()]
    return best.index[-1]


def premium_sections(
    premiums: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> dict[str, pd.DataFrame]:
    """Premium by cooperative and buyer, certification due vs received, sales under the 95 % minimum."""
    dates = pd.to_datetime(premiums["date"])
    period = premiums[(dates >= start) & (dates <= end)].dropna(subset=["benchmark_price_per_g"])
    if period.empty:
        return {}

    def weighted(group: pd.DataFrame) -> pd.Series:
        fine = group["fine_gold_g"].sum()
        return pd.Series(
            {
                "sales": len(group),
                "fine_gold_g": fine,
                "premium_pct_weighted": float(np.average(group["premium_pct"], weights=group["fine_gold_g"])),
                "premium_due_usd": group["premium_due_usd"].sum(),
                "premium_received_usd": group["premium_received_usd"].sum(),
                "under_minimum": int((group["certified"] & group["meets_minimum_price"].eq(False)).sum()),
            }
        )

    by_cooperative = (
        period.groupby(["cooperative", "currency"]).apply(weighted, include_groups=False).reset_index()
    )
    by_buyer = (
        period.groupby(["cooperative", "buyer", "currency"])
        .apply(weighted, include_groups=False)
        .reset_index()
    )
    certified = period[period["certified"]]
    certification = (
        certified.groupby(["cooperative", "certification"])
        .agg(
            sales=("sale_id", "count"),
            premium_due_usd=("premium_due_usd", "sum"),
            premium_received_usd=("premium_received_usd", "sum"),
        )  # fmt: skip
        .reset_index()
    )
    under = certified[certified["meets_minimum_price"].eq(False)]
    under_minimum = (
        under.groupby("cooperative")
        .agg(sales=("sale_id", "count"), worst_premium_pct=("premium_pct", "min"))
        .reset_index()
    )
    return {
        "by_cooperative": by_cooperative,
        "by_buyer": by_buyer,
        "certification": certification,
        "under_minimum": under_minimum,
    }


BRIEFING_FORECAST_MODELS = ("random_walk", "random_walk_drift", "theta")  # the fast ones: a briefing is quick
BRIEFING_FORECAST_FOLDS = 24
BRIEFING_HISTORY_DAYS = 2_520 + 750 + 24 * 20 + 260


def add_forecast_and_timing(
    briefing: Briefing, gold_usd_per_oz: pd.Series, stored: BacktestSummary | None = None
) -> None:
    """Gold's 20-day forecast with its measured skill, and the sell-timing reading, as of the period's end.

    When the period ends with the data and `stored` (the Forecast page's stored backtest of gold at
    20 days) was measured on data ending on that same day, its selection and scores are used, as on the
    page. Otherwise (an older period) a lighter backtest than the page's (three fast models, 24 monthly
    folds) is run, so a briefing takes seconds.
    """
    from analytics.forecast import BacktestError, BacktestSettings, forecast_from_last, run_backtest
    from analytics.timing import ForecastBand, indicator_frame, signal_on, with_forecast_band

    history = gold_usd_per_oz.dropna()
    # the backtest fits on at most 2,520 days and calibrates on 750 more; older days change nothing
    history = history[history.index <= briefing.end].iloc[-BRIEFING_HISTORY_DAYS:]
    settings = BacktestSettings(horizon=20, step=20, folds=BRIEFING_FORECAST_FOLDS)
    usable = (
        stored is not None
        and stored.horizon == 20
        and not history.empty
        and pd.Timestamp(history.index[-1]) == stored.last_data_date
    )
    try:
        if stored is not None and usable:
            summary = stored
        else:
            summary = run_backtest(
                history, settings, models=list(BRIEFING_FORECAST_MODELS), series="GOLD_USD"
            ).summary()
        forecast = forecast_from_last(history, summary.selected, horizon=20, settings=settings)
    except BacktestError:
        return
    score = summary.score(summary.selected)
    last = forecast.frame().iloc[-1]
    briefing.forecast = BriefingForecast(
        model=summary.selected,
        rmae=score.rmae,
        coverage_80=score.coverage_80,
        folds=summary.folds,
        first_origin=summary.first_origin,
        last_origin=summary.last_origin,
        date=pd.Timestamp(forecast.dates[-1]),
        mean=float(last["mean"]),
        lo_80=float(last["lo_80"]),
        hi_80=float(last["hi_80"]),
    )
    # the reading's probability comes from the forecast band shown above it: one band, as on the pages
    cost_pct_month = 0.5  # indicator_frame's default holding cost
    indicators = indicator_frame(history, holding_cost_pct_month=cost_pct_month)
    briefing.timing = signal_on(
        with_forecast_band(indicators, ForecastBand.from_forecast(forecast), cost_pct_month)
    )


def add_premiums(briefing: Briefing, premiums: pd.DataFrame) -> None:
    """The period's cooperative sections from `analytics.premiums.sale_premiums` output (any cooperatives)."""
    sections = premium_sections(premiums, briefing.start, briefing.end) if not premiums.empty else {}
    briefing.premiums_by_cooperative = sections.get("by_cooperative")
    briefing.premiums_by_buyer = sections.get("by_buyer")
    briefing.certification = sections.get("certification")
    briefing.under_minimum = sections.get("under_minimum")
