"""Market data for the pages and the CLI: refresh the store from Yahoo, then read it (or demo data).

I/O orchestration only; the numbers are computed in analytics/. Yahoo is tried at most once per
`MIN_FETCH_INTERVAL` (logged in the store, so every process sees it); when a series has never been
stored, seeded demo data stands in for it and the snapshot says why.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from analytics.benchmark import local_price_series
from analytics.premiums import LBMA_SOURCE
from data.market.cleaning import clean_observations
from data.market.demo import demo_market_data
from data.market.importers import PriceFileError, parse_price_file
from data.market.plausibility import UnitError, check_units, overlap_with
from data.market.rate_kinds import OFFICIAL, RateKindChoice, choose_rate_kind
from data.market.series import GOLD_SERIES, SERIES, fx_series_for, parse_local_price_id
from data.market.sources import combine_sources, provider_for_import, source_spans
from data.market.yahoo import YahooError, fetch_closes, yahoo_unreachable
from data.store import MarketStore

logger = logging.getLogger(__name__)

YAHOO = "yahoo"
MIN_FETCH_INTERVAL = timedelta(minutes=15)
#: First date fetched for a series the store has never seen (GC=F history starts in 2000).
HISTORY_START = pd.Timestamp("2000-01-01")
#: Days re-fetched before the last stored date, to pick up revised settlements.
REFETCH_OVERLAP_DAYS = 7
OFFLINE_ENV = "GOLD_DASHBOARD_OFFLINE"

#: Why demo data stand in for a series (the snapshot's `demo_reason_code`; i18n words each one).
OFFLINE_MODE = "offline_mode"  # GOLD_DASHBOARD_OFFLINE=1: Yahoo never contacted
NO_CONNECTION = "no_connection"  # Yahoo's host could not be reached
YAHOO_EMPTY = "yahoo_empty"  # Yahoo answered, with no data (for this series)
RATE_LIMITED = "rate_limited"  # Yahoo answered "Too Many Requests"
NOT_TRIED = "not_tried"  # no fetch attempt is logged yet
REASON_CODES = (OFFLINE_MODE, NO_CONNECTION, YAHOO_EMPTY, RATE_LIMITED, NOT_TRIED)
#: When several fetches failed differently, the code that explains most (no network explains the rest).
_CODE_PRIORITY = (NO_CONNECTION, RATE_LIMITED, YAHOO_EMPTY)


def failure_code(last: dict | None) -> str:
    """The reason code of the latest fetch attempt (a row from store.last_fetch); NOT_TRIED without one.

    Rows logged before the code column existed are read from their English message.
    """
    if last is None:
        return NOT_TRIED
    code = last.get("code")
    if code in REASON_CODES:
        return str(code)
    message = str(last.get("message", "")).lower()
    if "rate limit" in message or "too many requests" in message:
        return RATE_LIMITED
    if "could not resolve host" in message or "failed to perform" in message or "no connection" in message:
        return NO_CONNECTION
    return YAHOO_EMPTY


def offline_mode() -> bool:
    """True when the deployment says not to try Yahoo at all (tests, air-gapped machines)."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes")


@dataclass
class RefreshReport:
    attempted: bool
    ok: bool
    message: str
    rows_stored: dict[str, int] = field(default_factory=dict)
    flagged: dict[str, list[dict]] = field(default_factory=dict)
    #: Per series: days new to the store, and the first and last day written (`prices refresh`).
    rows_added: dict[str, int] = field(default_factory=dict)
    written: dict[str, tuple[pd.Timestamp, pd.Timestamp]] = field(default_factory=dict)


def refresh_from_yahoo(
    store: MarketStore,
    *,
    now: datetime | None = None,
    min_interval: timedelta = MIN_FETCH_INTERVAL,
    session: Any = None,
    download: Any = None,
    probe: Any = yahoo_unreachable,
) -> RefreshReport:
    """Fetch only the missing days of every series from Yahoo, clean them and store them.

    Each series is written in its own transaction after cleaning; a failure leaves the store as it was.
    """
    now = now or datetime.now(UTC)
    if offline_mode():
        return RefreshReport(False, False, f"offline mode ({OFFLINE_ENV}=1): Yahoo Finance not contacted")
    last = store.last_fetch(YAHOO)
    if last is not None:
        last_at = last["at"] if last["at"].tzinfo else last["at"].replace(tzinfo=UTC)
        if now - last_at < min_interval:
            return RefreshReport(False, last["ok"], last["message"])

    status = store.series_status()
    starts: dict[pd.Timestamp, list[str]] = {}
    for series_id in SERIES:
        if series_id in status.index:
            start = pd.Timestamp(status.loc[series_id, "last"]) - pd.Timedelta(days=REFETCH_OVERLAP_DAYS)
        else:
            start = HISTORY_START
        starts.setdefault(start, []).append(series_id)

    report = RefreshReport(True, True, "")
    failures = []
    codes = set()
    for start, series_ids in sorted(starts.items()):
        try:
            tidy = fetch_closes(series_ids, start, session=session, download=download, probe=probe)
        except YahooError as error:
            failures.append(str(error))
            codes.add(error.code)
            continue
        for series_id, rows in tidy.groupby("series_id"):
            rows = rows.reset_index(drop=True)
            rows["line"] = rows.index + 1
            rows["raw_date"] = rows["date"].dt.strftime("%Y-%m-%d")
            rows["raw_value"] = rows["value"].astype(str)
            cleaned = clean_observations(rows)
            report.rows_added[str(series_id)] = store.write_series(
                str(series_id), cleaned.observations, f"{YAHOO}:{SERIES[str(series_id)].yahoo_ticker}"
            )
            report.rows_stored[str(series_id)] = len(cleaned.observations)
            if not cleaned.observations.empty:
                days = cleaned.observations["date"]
                report.written[str(series_id)] = (pd.Timestamp(days.min()), pd.Timestamp(days.max()))
            report.flagged[str(series_id)] = cleaned.flagged + cleaned.rejected
    report.ok = not failures
    stored = ", ".join(f"{k} {v}" for k, v in report.rows_stored.items())
    failures = list(dict.fromkeys(failures))  # one line per distinct failure, not one per date group
    for failure in failures:  # hosts and errno for the operator; pages word the code instead
        logger.warning("Yahoo Finance fetch failed: %s", failure)
    report.message = "; ".join(failures) if failures else f"Yahoo Finance refreshed ({stored})"
    code = next((c for c in _CODE_PRIORITY if c in codes), YAHOO_EMPTY) if failures else None
    store.log_fetch(YAHOO, report.ok, report.message, code)
    return report


@dataclass(frozen=True)
class SeriesState:
    """Where one series shown comes from and how fresh it is."""

    series_id: str
    kind: str  # "stored" or "demo"
    source: str  # the sources used, in the order of the days they cover ("lbma, yahoo:GC=F")
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    updated_at: datetime | None
    #: Where the source changes: (source, first day, last day, days) per run of one source.
    spans: tuple[tuple[str, pd.Timestamp, pd.Timestamp, int], ...] = ()


@dataclass
class MarketSnapshot:
    """All series the pages use, with their provenance; demo_reason says why demo data stands in.

    `demo_reason` is an English line for logs and the CLI; `demo_reason_code` (one of REASON_CODES) is
    what the pages put in the user's language.
    """

    series: dict[str, pd.Series]
    states: dict[str, SeriesState]
    demo_reason: str | None = None
    #: The source of each day's value, per stored series (the precedence's choice).
    sources: dict[str, pd.Series] = field(default_factory=dict)
    #: The LBMA gold fix where stored (whatever the precedence): the reference of the 95 % minimum price.
    lbma_gold_usd_per_oz: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    demo_reason_code: str | None = None
    #: Per other gold source, its measured gap to the LBMA fix on common days: the 90th percentile of
    #: |source ÷ fix − 1| in % (only with at least MIN_GAP_DAYS common days): the minimum's "near" band.
    gold_source_gaps_pct: dict[str, float] = field(default_factory=dict)
    #: Per currency with a stored rate, the kind its series above holds (official unless chosen; a
    #: missing kind falls back to official and says so).
    rate_kinds: dict[str, RateKindChoice] = field(default_factory=dict)
    #: Per currency, every stored kind's rate (only where more than one kind is stored): the gaps to show.
    fx_by_kind: dict[str, dict[str, pd.Series]] = field(default_factory=dict)

    def rate_kind(self, currency: str) -> RateKindChoice:
        """The kind the snapshot prices `currency` at (official for USD and demo rates)."""
        return self.rate_kinds.get(currency, RateKindChoice(OFFICIAL, OFFICIAL))

    @property
    def demo_series(self) -> list[str]:
        return [sid for sid, state in self.states.items() if state.kind == "demo"]

    @property
    def gold_usd_per_oz(self) -> pd.Series:
        return self.series[GOLD_SERIES]

    def usable(self, series_id: str) -> pd.Series:
        """A series as a figure may use it: a demo exchange rate beside real gold is empty, since real gold
        times an invented rate is no price (with demo gold every series goes along, and says so)."""
        series = self.series[series_id]
        demo = self.demo_series
        if series_id != GOLD_SERIES and series_id in demo and GOLD_SERIES not in demo:
            return series.iloc[:0]
        return series

    def fx_per_usd(self, currency: str) -> pd.Series | None:
        """Local currency per USD (None for USD)."""
        series_id = fx_series_for(currency)
        return None if series_id is None else self.series[series_id]

    def source_of(self, series_id: str) -> str:
        return self.states[series_id].source

    def source_on(self, series_id: str, day: pd.Timestamp | None) -> str | None:
        """The source of the value a series has on `day` (the demo generator for a demo series)."""
        if day is None:
            return None
        if self.states[series_id].kind == "demo":
            return "demo"
        sources = self.sources.get(series_id)
        if sources is None or day not in sources.index:
            return None
        return str(sources.loc[day])


def load_snapshot(
    store: MarketStore, *, today: pd.Timestamp | None = None, rate_kinds: dict[str, str] | None = None
) -> MarketSnapshot:
    """Every known series from the store; a seeded demo series for any the store does not have.

    An exchange rate is read at the kind `rate_kinds` names for its currency (default: the
    GOLD_DASHBOARD_RATE_KIND setting's), official where that kind is not stored.
    """
    today = (today or pd.Timestamp.now()).normalize()
    status = store.series_status()
    kinds, fx_by_kind = _rate_kinds(store, status, rate_kinds or {})
    series: dict[str, pd.Series] = {}
    states: dict[str, SeriesState] = {}
    demo: dict[str, pd.Series] | None = None
    sources: dict[str, pd.Series] = {}
    lbma = pd.Series(dtype=float)
    gaps: dict[str, float] = {}
    for series_id in SERIES:
        if series_id in status.index:
            kind = kinds[currency].used if (currency := SERIES[series_id].currency) in kinds else OFFICIAL
            every_value = store.load_series_sources(series_id, rate_kind=kind)  # combined, and the LBMA fix
            stored_frame = combine_sources(series_id, every_value)
            stored = stored_frame["value"].rename(series_id)
            if series_id == GOLD_SERIES:
                fix = every_value[every_value["source"] == LBMA_SOURCE]
                lbma = pd.Series(fix["value"].to_numpy(), index=pd.DatetimeIndex(fix["date"]), name=series_id)
                gaps = source_gaps_to_fix(every_value)
        else:
            stored = pd.Series(dtype=float)
        if not stored.empty:
            row = status.loc[series_id]
            series[series_id] = stored
            sources[series_id] = stored_frame["source"]
            spans = tuple(source_spans(stored_frame["source"]))
            used = ", ".join(dict.fromkeys(span[0] for span in spans))
            states[series_id] = SeriesState(
                series_id, "stored", used, stored.index[0], stored.index[-1], row["updated_at"], spans
            )
            continue
        demo = demo if demo is not None else demo_market_data(today)
        series[series_id] = demo[series_id]
        states[series_id] = SeriesState(
            series_id, "demo", "demo (seeded)", demo[series_id].index[0], demo[series_id].index[-1], None
        )
    reason = code = None
    if any(state.kind == "demo" for state in states.values()):
        last = store.last_fetch(YAHOO)
        if offline_mode():
            reason, code = f"offline mode ({OFFLINE_ENV}=1), no stored data yet", OFFLINE_MODE
        elif last is not None:
            # a fetch that worked but left a series out: Yahoo had nothing for it
            reason, code = (
                f"no stored data yet; {last['message']}",
                YAHOO_EMPTY if last["ok"] else failure_code(last),
            )
        else:
            reason, code = "no stored data yet and Yahoo Finance not tried", NOT_TRIED
    return MarketSnapshot(series, states, reason, sources, lbma, code, gaps, kinds, fx_by_kind)


def _rate_kinds(
    store: MarketStore, status: pd.DataFrame, requested: dict[str, str]
) -> tuple[dict[str, RateKindChoice], dict[str, dict[str, pd.Series]]]:
    """Per stored rate: the kind chosen (requested, else the setting's, else official), and where more
    than one kind is stored, every kind's values."""
    kinds: dict[str, RateKindChoice] = {}
    by_kind: dict[str, dict[str, pd.Series]] = {}
    for series_id, info in SERIES.items():
        if info.currency is None or series_id not in status.index:
            continue
        stored = store.stored_rate_kinds(series_id)
        kinds[info.currency] = choose_rate_kind(info.currency, stored, requested.get(info.currency))
        if len(stored) > 1:
            by_kind[info.currency] = {kind: store.load_series(series_id, rate_kind=kind) for kind in stored}
    return kinds, by_kind


MIN_GAP_DAYS = 250  # about a year of common days before a source's gap to the fix counts as measured


def source_gaps_to_fix(values: pd.DataFrame) -> dict[str, float]:
    """Per source other than the LBMA fix: the 90th percentile of |value ÷ fix − 1| in % over the days both
    have (`values`: the date, value, source rows of one series), when there are MIN_GAP_DAYS of them."""
    if values.empty:
        return {}
    table = values.pivot_table(index="date", columns="source", values="value", aggfunc="last")
    if LBMA_SOURCE not in table.columns:
        return {}
    fix = table[LBMA_SOURCE]
    gaps = {}
    for source in table.columns:
        if source == LBMA_SOURCE:
            continue
        ratio = (table[source] / fix - 1).abs().dropna() * 100
        if len(ratio) >= MIN_GAP_DAYS:
            gaps[str(source)] = float(ratio.quantile(0.9))
    return gaps


def import_prices(
    store: MarketStore,
    content: bytes,
    filename: str,
    series_id: str | None = None,
    source: str | None = None,
    rate_kind: str = OFFICIAL,
) -> dict:
    """Parse, clean, check the unit and store a price file under its source in one transaction.

    An exchange rate is stored as `rate_kind` (official, reference, market): it is checked against, and
    ranked among, the sources of that kind only, and no other kind changes.

    The values are stored beside any other source's (never over them). The report says how the file
    compares with the stored values of other sources on common days (`overlap`, or None). Raises
    PriceFileError when the file as a whole is unusable, no row could be stored, or its values are in
    another unit (UnitError): then the store is unchanged.
    """
    parsed = parse_price_file(content, filename, series_id)
    if parsed.observations.empty:
        first = parsed.rejected[:3]
        reasons = "; ".join(f"line {r['line']}: {r['reason']}" for r in first)
        # `rows` lets the page write the reasons in the user's language (i18n.problem_text)
        rows = [{"line": r["line"], "problems": r.get("problems", [])} for r in first]
        raise PriceFileError("no_row_stored", reasons=reasons, rows=rows)
    if rate_kind != OFFICIAL and SERIES[parsed.series_id].currency is None:
        raise PriceFileError(
            "message", text=f"{parsed.series_id} is no exchange rate: it has no {rate_kind} kind"
        )
    provider = provider_for_import(parsed.format, parsed.series_id, filename, source)
    new = parsed.observations.set_index(pd.to_datetime(parsed.observations["date"]))["value"]
    stored = store.load_series_sources(parsed.series_id, new.index.min(), new.index.max(), rate_kind)
    others = combine_sources(parsed.series_id, stored[stored["source"] != provider])
    overlap = overlap_with(new, others)
    try:
        check_units(parsed.series_id, new, overlap)
    except UnitError as error:
        raise PriceFileError(error.code, **error.params) from None
    extra = {"overlap": None if overlap is None else overlap.as_json()}
    return store.store_import(parsed, filename, provider, extra, rate_kind)


def target_prices(load: Callable[[str], pd.Series], target_id: str) -> pd.Series:
    """A stored series, or a derived local price such as GOLD_COP_G (gold × FX ÷ grams per unit).

    `load` reads one stored series by id (the store, or a snapshot that may hold demo data);
    derived prices are kept only on days with a fresh exchange rate.
    """
    local = parse_local_price_id(target_id)
    if local is None:
        if target_id not in SERIES:
            raise ValueError(
                f"unknown series {target_id!r}; known: {', '.join(SERIES)}, or a local gold price "
                "GOLD_<currency>_<unit> such as GOLD_COP_G"
            )
        return load(target_id).dropna().rename(target_id)
    currency, unit = local
    gold = load(GOLD_SERIES)
    fx_id = fx_series_for(currency)
    fx = None if fx_id is None else load(fx_id)
    if gold.empty or (fx is not None and fx.empty):
        return pd.Series(dtype=float, name=target_id)
    return local_price_series(gold, fx, unit=unit)["price"].dropna().rename(target_id)


def target_fx(load: Callable[[str], pd.Series], target_id: str) -> pd.Series | None:
    """The exchange rate behind a derived local price (GOLD_COP_G → USD_COP); None otherwise."""
    local = parse_local_price_id(target_id)
    if local is None:
        return None
    fx_id = fx_series_for(local[0])
    return None if fx_id is None else load(fx_id)
