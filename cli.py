"""Batch entry: the same data functions as the pages, printing JSON on stdout.

Bad input: a non-zero exit and a one-line reason on stderr. Honours DATABASE_URL.

    python cli.py prices import FILE [--series ID] [--rate-kind official|reference|market]
    python cli.py prices show ID [--start D] [--end D]
    python cli.py prices refresh [--source lbma|trm|bcrp|yahoo ...] [--language es|en|mn]
    python cli.py benchmark --currency COP [--unit g] [--date D] [--rate-kind K]
    python cli.py offers compare FILE --date D --currency CUR --gross-g G --fineness F [--rate-pct-year R]
    python cli.py backtest ID --horizon 20 --step 20 [--start D] [--end D] [--models a,b] [--folds-csv FILE]
    python cli.py forecast ID --horizon 20 [--model NAME]
    python cli.py ledger import FILE [--cooperative NAME] [--mapping FILE] [--currency CUR]
                                    [--apply-changes] [--date-order day-first|month-first]
    python cli.py premiums [--cooperative NAME] [--start D] [--end D]
    python cli.py buyers [--start D] [--end D]
    python cli.py briefing --period 2024-05 --language es --out FILE.html [--xlsx FILE.xlsx]
    python cli.py signals ID [--date D] [--language es]
    python cli.py sell-policy ID --weekly-grams 1000 --max-hold-days 30 --holding-cost-pct-month 0.5
        [--policy NAME] [--start D] [--end D] [--hold-share 1]
    python cli.py users add NAME --role staff|member [--cooperative NAME ...] [--oidc-only]
    python cli.py users list | users remove NAME | users password NAME
    python cli.py alerts add --email ADDR --currency CUR --unit UNIT (--above X | --below X) [--language es|en|mn]
    python cli.py alerts list | alerts remove ID | alerts run [--date D]
    python cli.py card --currency CUR --unit UNIT --language es|en|mn [--date D] --out FILE.html
    python cli.py backup FILE[.gz]
    python cli.py restore FILE[.gz] [--allow-new-staff] [--allow-account-changes] [--dry-run]

Every command acts as the operator (every cooperative, every command) unless `--user NAME` is given
before the command; that user's password is read from GOLD_DASHBOARD_PASSWORD or asked for (and the
sign-in throttle applies), and the command then runs with their rights: a member sees and imports only
their own cooperatives' sales and cannot run the staff commands (users, backup, restore, alerts run, prices import,
prices refresh).

ID is a stored series (GOLD_USD, USD_COP, ...) or a derived local price such as GOLD_COP_G.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import math
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from analytics.benchmark import MAX_STALENESS_DAYS, StaleDataError
from analytics.briefing import default_period, parse_period
from analytics.forecast import MODEL_NAMES, BacktestSettings, forecast_from_last, run_backtest
from analytics.offers import compare_offers
from analytics.premiums import summarise, summary_by
from analytics.timing import (
    POLICIES,
    PolicySettings,
    indicator_frame,
    run_policy,
    signal_on,
    with_forecast_band,
)
from analytics.units import UNITS
from data.accounts.access import OPERATOR, LedgerAccessError, LedgerScope
from data.accounts.alerts import list_rules, remove_rule
from data.accounts.users import add_user, list_users, remove_user, set_password, sign_in_attempt
from data.files.bounded_read import read_bounded
from data.ledger import load_sales
from data.ledger.offer_quotes import read_quotes
from data.market.importers import PriceFileError
from data.market.market_data import MarketSnapshot, import_prices, target_fx, target_prices
from data.market.official import SourceRefresh
from data.market.rate_kinds import OFFICIAL, RATE_KIND_ENV, RATE_KINDS
from data.market.series import CURRENCIES, GOLD_SERIES, SERIES, require_series
from data.market.statistics import statistic_of
from data.settings import discount_rate_pct
from data.store import MarketStore
from data.store.backup import backup, restore, restore_preview
from data.store.errors import describe
from i18n import (
    LANGUAGES,
    error_text,
    fetch_result_text,
    format_day,
    held_back_text,
    reading_for,
    reason_text,
    t,
)
from services.alerts import add_alert, run_alerts_once
from services.briefing import briefing_periods, briefing_view
from services.buyers import buyers_view
from services.card import write_card
from services.forecast import refresh_backtests_after_write, stored_forecast_band
from services.market import market_snapshot, stored_benchmark
from services.premiums import stored_premiums
from services.price_today import NoPriceError
from services.refresh import (
    KNOWN_SOURCES,
    SOURCES_ENV,
    UnknownSourceError,
    refresh_failed,
    refresh_prices_once,
)
from services.sales import import_ledger


class CliError(Exception):
    """A user error: reported on stderr in one line, exit code 2."""


def _rate_kind_option(command: argparse.ArgumentParser) -> None:
    """--rate-kind of a command that prices gold in a local currency."""
    command.add_argument(
        "--rate-kind",
        choices=list(RATE_KINDS),
        help=f"the exchange rate's kind (default: {RATE_KIND_ENV}'s for the currency, else official)",
    )


def _date(text: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(text).normalize()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from None


def cmd_prices_import(store: MarketStore, args: argparse.Namespace) -> object:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    report = import_prices(store, read_bounded(path), path.name, args.series, args.source, args.rate_kind)
    # the forecast backtests on the new data are measured now, so the Forecast page opens at once
    return {**report, "backtests": refresh_backtests_after_write(store)}


def cmd_prices_show(store: MarketStore, args: argparse.Namespace) -> object:
    require_series(args.series_id)
    series = store.load_series_with_sources(args.series_id, args.start, args.end)
    return [
        {"date": day.strftime("%Y-%m-%d"), "value": float(row.value), "source": str(row.source)}
        for day, row in series.iterrows()
    ]


def refresh_row_json(row: SourceRefresh, lang: str) -> dict[str, object]:
    """One source's row of `prices refresh`: {source, series, rows_added, first, last, error, ...}."""
    text = fetch_result_text(
        row.source,
        row.series,
        row.rows_added,
        row.first,
        row.last,
        row.error_code,
        row.error_params,
        row.skipped,
        lang,
        row.stored_as,
    )
    return {
        "source": row.source,
        "series": row.series,
        "rows_added": row.rows_added,
        "first": None if row.first is None else row.first.strftime("%Y-%m-%d"),
        "last": None if row.last is None else row.last.strftime("%Y-%m-%d"),
        "error": text if row.error_code is not None else None,
        "error_code": row.error_code,
        "skipped": row.skipped,
        "stored_as": row.stored_as,
        # the statistic asked for and stored (BCRP's series code, the LBMA PM or AM fix, ...)
        "statistic": row.statistic or (None if row.stored_as is None else statistic_of(row.stored_as)),
        "asked_from": None if row.asked_from is None else row.asked_from.strftime("%Y-%m-%d"),
        "message": text,
    }


def cmd_prices_refresh(store: MarketStore, args: argparse.Namespace) -> object:
    """Ask every configured source for its missing days (Yahoo with no 15-minute pause: the user asked)."""
    try:
        results = refresh_prices_once(store, args.source)
    except UnknownSourceError as error:
        raise CliError(str(error)) from None
    if results is None:  # another host's timer (or the staff's button) is refreshing now: it asks once
        print(t("job_running_elsewhere", args.language), file=sys.stderr)
        args.exit_code = 0
        return []
    rows = [refresh_row_json(row, args.language) for row in results]
    for row in rows:
        if row["error"] is not None:
            print(row["error"], file=sys.stderr)
    if any(row.rows_added for row in results):  # the timer job also measures the backtests made stale
        for entry in refresh_backtests_after_write(store):
            print(f"backtest {entry['target_id']}: {entry['status']}", file=sys.stderr)
    args.exit_code = 1 if refresh_failed(results) else 0
    return rows


def cmd_benchmark(store: MarketStore, args: argparse.Namespace) -> object:
    """The benchmark on a date, with the sources of the gold and FX values it used and whether they are
    stale (more than the staleness setting's days before the date)."""
    return stored_benchmark(
        store, args.date, args.currency, args.unit, args.max_staleness_days, rate_kind=args.rate_kind
    ).as_json()


def cmd_offers_compare(store: MarketStore, args: argparse.Namespace) -> object:
    """Each quote in FILE valued for the lot at the benchmark of --date, ranked by present value."""
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    quotes = read_quotes(read_bounded(path), path.name)
    sourced = stored_benchmark(store, args.date, args.currency)
    benchmark = sourced.quote
    comparison = compare_offers(
        quotes,
        gross_g=args.gross_g,
        fineness=args.fineness,
        benchmark_price_per_g=benchmark.price,
        rate_pct_year=discount_rate_pct() if args.rate_pct_year is None else args.rate_pct_year,
    )
    return {
        "date": f"{args.date:%Y-%m-%d}",
        "benchmark_price_per_g": benchmark.price,
        # the day the benchmark is of: --date itself, or the latest complete day before it (the "as of"
        # rule: a rate is not carried past its end) with the series that hold it back
        "benchmark_date": f"{benchmark.date:%Y-%m-%d}",
        "held_back_by": [] if sourced.rule is None else [h.as_json() for h in sourced.rule.held_back_by],
        **sourced.rate_kind.as_json(),
        "fine_gold_g": comparison.fine_gold_g,
        "rate_pct_year": comparison.rate_pct_year,
        "offers": [offer.as_json() for offer in comparison.offers],
    }


def _stored_target(store: MarketStore, target_id: str) -> pd.Series:
    prices = target_prices(store.load_series, target_id)
    if prices.empty:
        raise CliError(f"no data for {target_id}: import its price files or refresh first")
    return prices


def cmd_backtest(store: MarketStore, args: argparse.Namespace) -> object:
    prices = _stored_target(store, args.series_id)
    settings = BacktestSettings(horizon=args.horizon, step=args.step, folds=args.folds)
    models = args.models.split(",") if args.models else None
    result = run_backtest(
        prices, settings, models=models, start=args.start, end=args.end, series=args.series_id.upper()
    )
    if args.folds_csv:
        result.folds_frame().to_csv(args.folds_csv, index=False, date_format="%Y-%m-%d")
    return result.as_json()


def cmd_forecast(store: MarketStore, args: argparse.Namespace) -> object:
    """Without --model, the model is the one the default backtest selects (the random walk if none beats it)."""
    prices = _stored_target(store, args.series_id)
    model, backtest = args.model, None
    if model is None:
        result = run_backtest(prices, BacktestSettings(horizon=args.horizon), series=args.series_id.upper())
        model = result.selected
        backtest = {score.name: score.as_json() for score in result.scores}[model]
    forecast = forecast_from_last(prices, model, horizon=args.horizon)
    return {**forecast.as_json(), "series": args.series_id.upper(), "backtest": backtest}


def _password(prompt: str, confirm: bool = False) -> str:
    """GOLD_DASHBOARD_PASSWORD (scripts, tests), else asked for without echo."""
    from_env = os.environ.get("GOLD_DASHBOARD_PASSWORD")
    if from_env is not None:
        return from_env
    if not sys.stdin.isatty():
        raise CliError("no password: set GOLD_DASHBOARD_PASSWORD or run in a terminal")
    password = getpass.getpass(prompt)
    if confirm and getpass.getpass("again: ") != password:
        raise CliError("the two passwords differ")
    return password


def _signed_in_scope(store: MarketStore, args: argparse.Namespace) -> LedgerScope:
    """The operator, or the user named by --user once their password is checked (throttled as on the
    sign-in page, with "cli" as the client)."""
    if not args.user:
        return OPERATOR
    result = sign_in_attempt(store, args.user, _password(f"password of {args.user}: "), client="cli")
    if result.reason.startswith("throttled"):
        raise CliError(f"too many failed sign-ins; try again in {math.ceil(result.retry_after_s / 60)} min")
    if result.user is None:
        raise CliError("wrong user name or password")
    return result.user.scope


def ledger_scope(store: MarketStore, args: argparse.Namespace) -> LedgerScope:
    """Whose rights this command runs with: resolved once in `main`, before any command."""
    scope = getattr(args, "scope", None)
    return scope if isinstance(scope, LedgerScope) else _signed_in_scope(store, args)


def cmd_ledger_import(store: MarketStore, args: argparse.Namespace) -> object:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    mapping = None
    if args.mapping:
        try:
            mapping = json.loads(read_bounded(Path(args.mapping)).decode("utf-8"))
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CliError(f"cannot read the mapping file {args.mapping}: {error}") from None
        if not isinstance(mapping, dict):
            raise CliError('the mapping file must be a JSON object: {"date": "Fecha de venta", ...}')
    return import_ledger(
        store,
        ledger_scope(store, args),
        read_bounded(path),
        path.name,
        cooperative=args.cooperative,
        mapping=mapping,
        currency=args.currency,
        apply_changes=args.apply_changes,
        date_order=args.date_order.replace("-", "_") if args.date_order else None,
    )


def json_safe(value: object) -> object:
    """JSON has no NaN or infinity: a missing number is null (applied to every command's output)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


def _market(store: MarketStore) -> MarketSnapshot:
    """The stored series (demo data stands in for missing ones, as on the pages); gold must be stored."""
    snapshot = market_snapshot(store)
    if GOLD_SERIES in snapshot.demo_series:
        raise CliError(f"no {GOLD_SERIES} stored: import a gold price file or refresh first")
    return snapshot


def cmd_premiums(store: MarketStore, args: argparse.Namespace) -> object:
    """Each sale against the benchmark on its date, in its currency; totals weighted by fine gold.

    The same service as the Premiums page (services/premiums.py), on the stored sales of the scope.
    """
    scope = ledger_scope(store, args)
    cooperatives = [args.cooperative] if args.cooperative else None
    if load_sales(store, scope, cooperatives, args.start, args.end).empty:
        raise CliError(
            "no sales stored for this selection: import a ledger first (python cli.py ledger import)"
        )
    premiums = stored_premiums(store, scope, _market(store), cooperatives, args.start, args.end).premiums
    fields = [
        "sale_id", "cooperative", "date", "currency", "fine_gold_g", "benchmark_price_per_g",
        "realised_price_per_g", "premium_pct", "money_vs_benchmark", "premium_due_usd",
        "premium_received_usd", "meets_minimum_price", "certification", "buyer",
        "buyer_price_pct", "all_in_pct", "minimum_reference", "minimum_state", "minimum_margin_pp",
        "buyer_quote_pct", "minimum_near_pp", "rate_kind",
    ]  # fmt: skip
    rows = []
    for record in premiums[fields].to_dict("records"):
        record["date"] = record["date"].strftime("%Y-%m-%d")
        # null for an uncertified sale (no minimum applies) and for a sale without a benchmark
        meets = record["meets_minimum_price"]
        record["meets_minimum_price"] = None if meets is None or meets != meets else bool(meets)
        if record["certification"] == "none":
            record["minimum_state"] = None
        rows.append(record)
    summary = summarise(premiums).as_json()
    currencies = sorted(premiums["currency"].unique())
    if len(currencies) > 1:  # money in different currencies does not add up
        summary.update(benchmark_value=math.nan, amount_received=math.nan, money_vs_benchmark=math.nan)
    by_currency = summary_by(premiums, "currency").to_dict("records")
    unpriced = int(premiums["benchmark_price_per_g"].isna().sum())
    return {
        "sales": rows,
        "summary": {**summary, "currencies": currencies},
        "by_currency": by_currency,
        "sales_without_benchmark": unpriced,
    }


def cmd_buyers(store: MarketStore, args: argparse.Namespace) -> object:
    """Per buyer over the stored sales of the scope in the period, most fine gold first: the same service
    as the Buyers page (services/buyers.py). As a member (--user): their own cooperatives' figures, and the
    median across other cooperatives per single quarter under disclosure control (docs/disclosure.md)."""
    scope = ledger_scope(store, args)
    view = buyers_view(store, scope, _market(store), args.start, args.end)
    return view.as_json()


def cmd_signals(store: MarketStore, args: argparse.Namespace) -> object:
    """As of --date, only data up to that date is read (the rest is cut before any indicator)."""
    prices = _stored_target(store, args.series_id)
    fx = target_fx(store.load_series, args.series_id.upper())
    if args.date is not None:
        prices = prices[prices.index <= args.date]
        fx = None if fx is None else fx[fx.index <= args.date]
        if prices.empty:
            raise CliError(f"no {args.series_id} price on or before {args.date:%Y-%m-%d}")
    indicators = indicator_frame(prices, fx, args.holding_cost_pct_month)
    if args.date is None:  # today's reading reads the Forecast page's stored band, when it is current
        band = stored_forecast_band(store, args.series_id.upper(), prices)
        indicators = with_forecast_band(indicators, band, args.holding_cost_pct_month)
    signal = signal_on(indicators)
    reasons = [reason_text(reason, args.language) for reason in signal.reasons]
    return {"series": args.series_id.upper(), **signal.as_json(), "reasons": reasons}


def cmd_sell_policy(store: MarketStore, args: argparse.Namespace) -> object:
    prices = _stored_target(store, args.series_id)
    fx = target_fx(store.load_series, args.series_id.upper())
    settings = PolicySettings(
        weekly_grams=args.weekly_grams,
        max_hold_days=args.max_hold_days,
        holding_cost_pct_month=args.holding_cost_pct_month,
        hold_share=args.hold_share,
    )
    result = run_policy(prices, args.policy, settings, fx=fx, start=args.start, end=args.end)
    return {"series": args.series_id.upper(), **result.as_json()}


def cmd_briefing(store: MarketStore, args: argparse.Namespace) -> object:
    """Writes the HTML (and Excel) files; prints where they are and the summary's first lines."""
    from presentation.briefing_report import briefing_html, briefing_xlsx, summary_paragraphs

    market = _market(store)
    period = args.period
    if period is None:  # the page's default: the latest complete month with data for the most countries
        chosen = default_period(briefing_periods(market, "month"))
        if chosen is None:
            raise CliError("no gold price stored: import a gold price file or refresh first")
        period = chosen.strftime("%Y-%m")
    start, end, kind = parse_period(period)
    briefing = briefing_view(store, ledger_scope(store, args), market, start, end, kind)
    with reading_for("COP"):  # one number style for the whole document: the language's default (es_CO)
        Path(args.out).write_text(briefing_html(briefing, args.language), encoding="utf-8")
        written = [args.out]
        if args.xlsx:
            Path(args.xlsx).write_bytes(briefing_xlsx(briefing, args.language))
            written.append(args.xlsx)
        summary = summary_paragraphs(briefing, args.language)
    return {
        "period": {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}", "kind": kind},
        "files": written,
        "countries": [row.currency for row in briefing.countries],
        "coverage": briefing.coverage(),
        "missing_countries": [
            {"currency": currency, "last": None if last is None else f"{last:%Y-%m-%d}"}
            for currency, last in briefing.missing_countries
        ],
        "demo_series": briefing.demo_series,
        # the exchange-rate kind each country is priced at, and the gram at each kind where several are stored
        "rate_kinds": {row.currency: row.rate_kind for row in briefing.countries if row.rate_kind},
        "prices_by_rate_kind": {
            row.currency: row.price_at_kinds for row in briefing.countries if row.price_at_kinds
        },
        "summary": summary,
    }


def cmd_users_add(store: MarketStore, args: argparse.Namespace) -> object:
    password = None if args.oidc_only else _password(f"new password of {args.name}: ", confirm=True)
    user = add_user(store, args.name, password, args.role, args.cooperative or [])
    return {"username": user.username, "role": user.role, "cooperatives": list(user.cooperatives)}


def cmd_users_list(store: MarketStore, args: argparse.Namespace) -> object:
    users = list_users(store)
    return [
        {
            "username": row.username,
            "role": row.role,
            "cooperatives": row.cooperatives,
            "password": row.has_password,
        }
        for row in users.itertuples()
    ]


def cmd_users_remove(store: MarketStore, args: argparse.Namespace) -> object:
    remove_user(store, args.name)
    return {"removed": args.name}


def cmd_users_password(store: MarketStore, args: argparse.Namespace) -> object:
    set_password(store, args.name, _password(f"new password of {args.name}: ", confirm=True))
    return {"changed": args.name}


def cmd_alerts_add(store: MarketStore, args: argparse.Namespace) -> object:
    rule = add_alert(
        store,
        ledger_scope(store, args),
        email=args.email,
        currency=args.currency,
        unit=args.unit,
        above=args.above,
        below=args.below,
        language=args.language,
        kind="stale" if args.stale else "price",
    )
    return {**rule.as_json(), "kind": rule.kind, "owner": rule.owner}


def cmd_alerts_list(store: MarketStore, args: argparse.Namespace) -> object:
    return [rule.as_json() for rule in list_rules(store, ledger_scope(store, args))]


def cmd_alerts_remove(store: MarketStore, args: argparse.Namespace) -> object:
    remove_rule(store, ledger_scope(store, args), args.id)
    return {"removed": args.id}


def cmd_alerts_run(store: MarketStore, args: argparse.Namespace) -> object:
    """The timer's job; a failed send is in `skipped` with its reason, and also said on stderr."""
    run = run_alerts_once(store, as_of=args.date)
    if run is None:  # another host's timer is running the alerts now: each crossing is mailed once
        print(t("job_running_elsewhere", "es"), file=sys.stderr)
        return {"date": None, "sent": [], "skipped": [], "running_elsewhere": True, "backtests": []}
    for failure in run.failed:
        print(f"alert {failure.id}: {failure.reason}", file=sys.stderr)
    # the timer also measures the forecast backtests that data written since the last run made stale
    return {**run.as_json(), "backtests": refresh_backtests_after_write(store)}


def cmd_card(store: MarketStore, args: argparse.Namespace) -> object:
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CliError(f"no such folder: {out.parent}")
    card = write_card(
        store, args.currency, args.unit, args.language, out, as_of=args.date, rate_kind=args.rate_kind
    )
    return card.as_json()


def cmd_backup(store: MarketStore, args: argparse.Namespace) -> object:
    return {"file": args.file, "rows": backup(store, Path(args.file))}


def cmd_restore(store: MarketStore, args: argparse.Namespace) -> object:
    if not Path(args.file).is_file():
        raise CliError(f"no such file: {args.file}")
    if args.dry_run:  # what it would change in accounts and permissions, and nothing changed
        changes = restore_preview(store, Path(args.file), allow_new_staff=True)[1]  # new staff listed too
        return {"file": args.file, "dry_run": True, "account_changes": changes}
    counts = restore(
        store,
        Path(args.file),
        allow_new_staff=args.allow_new_staff,
        allow_account_changes=args.allow_account_changes,
    )
    return {"file": args.file, "rows": counts}


def _prices_commands(commands: argparse._SubParsersAction) -> None:
    """prices import, show and refresh: the market series."""
    prices = commands.add_parser("prices", help="market price series").add_subparsers(
        dest="action", required=True
    )
    do_import = prices.add_parser("import", help="import a CSV or Excel price file")
    do_import.add_argument("file")
    do_import.add_argument("--series", choices=list(SERIES), help="series id, when the file does not say")
    do_import.add_argument(
        "--source",
        help="the provider's name (e.g. lbma, stooq, trm); default: the one the file's format names",
    )
    do_import.add_argument(
        "--rate-kind",
        choices=list(RATE_KINDS),
        default=OFFICIAL,
        help="an exchange rate's kind, stored apart from the others (default: official)",
    )
    do_import.set_defaults(run=cmd_prices_import, staff_only=True)
    show = prices.add_parser("show", help="print a stored series")
    show.add_argument("series_id")
    show.add_argument("--start", type=_date)
    show.add_argument("--end", type=_date)
    show.set_defaults(run=cmd_prices_show)
    refresh = prices.add_parser(
        "refresh", help="fetch the missing days from the LBMA, the TRM, the BCRP and Yahoo Finance"
    )
    refresh.add_argument(
        "--source",
        action="append",
        choices=list(KNOWN_SOURCES),
        help=f"repeatable; default: {SOURCES_ENV} or every source ({','.join(KNOWN_SOURCES)})",
    )
    refresh.add_argument("--language", choices=LANGUAGES, default="es", help="of the failure reasons")
    refresh.set_defaults(run=cmd_prices_refresh, staff_only=True)


def _lot_commands(commands: argparse._SubParsersAction) -> None:
    """benchmark and offers compare: a lot valued on a day."""
    bench = commands.add_parser("benchmark", help="benchmark price of fine gold on a date")
    bench.add_argument("--date", type=_date, help="default: the latest day gold and the rate both have")
    bench.add_argument("--currency", choices=list(CURRENCIES), required=True)
    bench.add_argument("--unit", choices=list(UNITS), default="g")
    bench.add_argument("--max-staleness-days", type=int, default=MAX_STALENESS_DAYS)
    _rate_kind_option(bench)
    bench.set_defaults(run=cmd_benchmark)

    offers = commands.add_parser("offers", help="buyers' quotes for a lot").add_subparsers(
        dest="action", required=True
    )
    compare = offers.add_parser("compare", help="value each quote of a CSV file for a lot, best first")
    compare.add_argument("file", help="CSV: buyer,price_pct,fee_per_g,fixed_fee,payment_days")
    compare.add_argument("--date", type=_date, required=True, help="the benchmark's date")
    compare.add_argument("--currency", choices=list(CURRENCIES), required=True)
    compare.add_argument("--gross-g", type=float, required=True, help="the lot's gross weight in grams")
    compare.add_argument("--fineness", type=float, required=True, help="0.875 or 875")
    compare.add_argument(
        "--rate-pct-year",
        type=float,
        default=None,
        help="the cooperative's cost of money for the present value, %% a year "
        "(default: GOLD_DASHBOARD_DISCOUNT_RATE_PCT, else 12; 0: no discounting)",
    )
    compare.set_defaults(run=cmd_offers_compare)


def _forecast_commands(commands: argparse._SubParsersAction) -> None:
    """backtest and forecast."""
    backtest = commands.add_parser("backtest", help="rolling-origin backtest of the forecast models")
    backtest.add_argument("series_id", metavar="ID")
    backtest.add_argument("--horizon", type=int, default=20, help="trading days ahead (default 20)")
    backtest.add_argument("--step", type=int, default=20, help="trading days between origins (default 20)")
    backtest.add_argument("--start", type=_date, help="first origin (default: the last --folds origins)")
    backtest.add_argument("--end", type=_date, help="last day of data used")
    backtest.add_argument("--folds", type=int, default=60, help="number of origins when --start is absent")
    backtest.add_argument("--models", help=f"comma-separated, from {','.join(MODEL_NAMES)} (default: all)")
    backtest.add_argument(
        "--folds-csv", metavar="FILE", help="also write every model, origin and step: actual, mean and bands"
    )
    backtest.set_defaults(run=cmd_backtest)

    forecast = commands.add_parser("forecast", help="forecast from the last stored day")
    forecast.add_argument("series_id", metavar="ID")
    forecast.add_argument("--horizon", type=int, default=20)
    forecast.add_argument("--model", choices=list(MODEL_NAMES), help="default: the backtest's selection")
    forecast.set_defaults(run=cmd_forecast)


def _ledger_commands(commands: argparse._SubParsersAction) -> None:
    """ledger import, premiums and buyers: the sales ledger and what it reads."""
    ledger = commands.add_parser("ledger", help="the cooperatives' sales ledger").add_subparsers(
        dest="action", required=True
    )
    ledger_import = ledger.add_parser("import", help="import a sales file (CSV or Excel)")
    ledger_import.add_argument("file")
    ledger_import.add_argument("--cooperative", help="the cooperative, when the file has no such column")
    ledger_import.add_argument(
        "--mapping", help='JSON file: our field -> your column, e.g. {"date": "Fecha"}'
    )
    ledger_import.add_argument(
        "--currency",
        choices=list(CURRENCIES),
        help='currency of rows that name none, when no header does (e.g. "Valor recibido (COP)")',
    )
    ledger_import.add_argument(
        "--apply-changes",
        action="store_true",
        help="write the corrections of stored lots listed under 'changed' (audited, as an edit)",
    )
    ledger_import.add_argument(
        "--date-order",
        choices=["day-first", "month-first"],
        help="the order of a date column whose cells do not decide it (every day 12 or less); "
        "the report's date_order says how it was decided",
    )
    ledger_import.set_defaults(run=cmd_ledger_import)

    premiums = commands.add_parser("premiums", help="each sale against the benchmark; totals")
    premiums.add_argument("--cooperative")
    premiums.add_argument("--start", type=_date)
    premiums.add_argument("--end", type=_date)
    premiums.set_defaults(run=cmd_premiums)

    buyers = commands.add_parser("buyers", help="per buyer: sales, fine gold, buyer's price, premium owed")
    buyers.add_argument("--start", type=_date)
    buyers.add_argument("--end", type=_date)
    buyers.set_defaults(run=cmd_buyers)


def _reading_commands(commands: argparse._SubParsersAction) -> None:
    """briefing, signals and sell-policy: the written reading of the market."""
    briefing = commands.add_parser("briefing", help="write a market briefing (HTML, optionally Excel)")
    briefing.add_argument(
        "--period",
        help="2024-05, 2024-Q2, 2024-W19, 2024 or D1:D2; default: the latest complete month with data for "
        "the most countries",
    )
    briefing.add_argument("--language", choices=LANGUAGES, default="es")
    briefing.add_argument("--out", required=True, help="the HTML file to write")
    briefing.add_argument("--xlsx", help="also write this Excel workbook")
    briefing.set_defaults(run=cmd_briefing)

    signals = commands.add_parser("signals", help="sell-timing reading as of a date")
    signals.add_argument("series_id", metavar="ID")
    signals.add_argument("--date", type=_date, help="evaluate as of this date, with data up to it only")
    signals.add_argument("--holding-cost-pct-month", type=float, default=0.5)
    signals.add_argument("--language", choices=LANGUAGES, default="en")
    signals.set_defaults(run=cmd_signals)

    policy = commands.add_parser("sell-policy", help="walk-forward backtest of a selling policy")
    policy.add_argument("series_id", metavar="ID")
    policy.add_argument("--weekly-grams", type=float, default=1000.0)
    policy.add_argument("--max-hold-days", type=int, default=30)
    policy.add_argument("--holding-cost-pct-month", type=float, default=0.5)
    policy.add_argument("--hold-share", type=float, default=1.0, help="share of each lot that may be held")
    policy.add_argument("--policy", choices=list(POLICIES), default="signal")
    policy.add_argument("--start", type=_date, help="first lot")
    policy.add_argument("--end", type=_date, help="last lot")
    policy.set_defaults(run=cmd_sell_policy)


def _users_commands(commands: argparse._SubParsersAction) -> None:
    """users add, list, remove and password: who may sign in."""
    users = commands.add_parser("users", help="who may sign in to the dashboard").add_subparsers(
        dest="action", required=True
    )
    users_add = users.add_parser("add", help="add a user (password from GOLD_DASHBOARD_PASSWORD or asked)")
    users_add.add_argument("name", help="login name; for OpenID Connect sign-in, the e-mail address")
    users_add.add_argument("--role", choices=("staff", "member"), required=True)
    users_add.add_argument("--cooperative", action="append", help="a member's cooperative (repeatable)")
    users_add.add_argument("--oidc-only", action="store_true", help="no password: signs in with st.login")
    users_add.set_defaults(run=cmd_users_add, staff_only=True)
    users.add_parser("list", help="users, roles and cooperatives").set_defaults(
        run=cmd_users_list, staff_only=True
    )
    users_remove = users.add_parser("remove", help="remove a user")
    users_remove.add_argument("name")
    users_remove.set_defaults(run=cmd_users_remove, staff_only=True)
    users_password = users.add_parser("password", help="set a new password")
    users_password.add_argument("name")
    users_password.set_defaults(run=cmd_users_password, staff_only=True)


def _alerts_commands(commands: argparse._SubParsersAction) -> None:
    """alerts add, list, remove and run, and the price card: what is sent out."""
    alerts = commands.add_parser("alerts", help="price alerts by e-mail").add_subparsers(
        dest="action", required=True
    )
    alerts_add = alerts.add_parser("add", help="alert when the price is above or below a level")
    alerts_add.add_argument("--email", required=True)
    alerts_add.add_argument("--currency", choices=list(CURRENCIES), required=True)
    alerts_add.add_argument("--unit", choices=list(UNITS), required=True)
    level = alerts_add.add_mutually_exclusive_group(required=True)
    level.add_argument("--above", type=float, help="send when the price is at or above X")
    level.add_argument("--below", type=float, help="send when the price is at or below X")
    level.add_argument("--stale", action="store_true", help="send when the data is more than 7 days old")
    alerts_add.add_argument("--language", choices=LANGUAGES, default="es")
    alerts_add.set_defaults(run=cmd_alerts_add)
    alerts.add_parser("list", help="the alert rules").set_defaults(run=cmd_alerts_list)
    alerts_remove = alerts.add_parser("remove", help="remove an alert rule")
    alerts_remove.add_argument("id", type=int)
    alerts_remove.set_defaults(run=cmd_alerts_remove)
    alerts_run = alerts.add_parser("run", help="check every rule and send the e-mails (the timer's job)")
    alerts_run.add_argument("--date", type=_date, help="as of this day, on data up to it")
    alerts_run.set_defaults(run=cmd_alerts_run, staff_only=True)  # every user's rules and e-mails

    card = commands.add_parser("card", help="write the light price card (static HTML, no script)")
    card.add_argument("--currency", choices=list(CURRENCIES), required=True)
    card.add_argument("--unit", choices=list(UNITS), required=True)
    card.add_argument("--language", choices=LANGUAGES, required=True)
    card.add_argument("--date", type=_date, help="as of this day, on data up to it (default today)")
    card.add_argument("--out", required=True, help="the HTML file to write")
    _rate_kind_option(card)
    card.set_defaults(run=cmd_card)


def _backup_commands(commands: argparse._SubParsersAction) -> None:
    """backup and restore of the whole store."""
    do_backup = commands.add_parser("backup", help="write the whole store to a file (.gz: compressed)")
    do_backup.add_argument("file")
    do_backup.set_defaults(run=cmd_backup, staff_only=True)
    do_restore = commands.add_parser("restore", help="replace the whole store by a backup file")
    do_restore.add_argument("file")
    do_restore.add_argument(
        "--allow-new-staff",
        action="store_true",
        help="restore staff accounts this store does not have (refused otherwise, unless it has no users)",
    )
    do_restore.add_argument(
        "--allow-account-changes",
        action="store_true",
        help="restore accounts that are new, have another password hash or more cooperatives (see --dry-run)",
    )
    do_restore.add_argument(
        "--dry-run", action="store_true", help="check the file and list its account changes; change nothing"
    )
    do_restore.set_defaults(run=cmd_restore, staff_only=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cli.py", description="Gold market data and analytics, as JSON.")
    parser.add_argument(
        "--user", help="act as this dashboard user (password from GOLD_DASHBOARD_PASSWORD or asked for)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _prices_commands(commands)
    _lot_commands(commands)
    _forecast_commands(commands)
    _ledger_commands(commands)
    _reading_commands(commands)
    _users_commands(commands)
    _alerts_commands(commands)
    _backup_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # A failed --user sign-in is kept in the store's sign_in_attempts; stderr stays one line.
    logging.getLogger("gold_dashboard").addHandler(logging.NullHandler())
    try:
        store = MarketStore.from_url()
        args.scope = _signed_in_scope(store, args)  # --user applies to every command, not only the ledger's
        if getattr(args, "staff_only", False) and not args.scope.is_staff:
            raise LedgerAccessError(f"only staff may run '{_command_name(args)}'")
        result = args.run(store, args)
    except (CliError, PriceFileError, StaleDataError, ValueError, LedgerAccessError) as error:
        print(f"error: {error_in(error, getattr(args, 'language', None))}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:  # one line, never the statement's values
        print(f"error: {describe(error)}", file=sys.stderr)
        return 2
    except OSError as error:  # a full or read-only disk while writing a file
        print(
            f"error: {error.strerror or error} ({getattr(error, 'filename', '') or 'file'})", file=sys.stderr
        )
        return 2
    json.dump(json_safe(result), sys.stdout, ensure_ascii=False, indent=1, allow_nan=False)
    sys.stdout.write("\n")
    return int(getattr(args, "exit_code", 0))  # 1: the command ran, and part of it failed (prices refresh)


def error_in(error: Exception, lang: str | None) -> str:
    """The error in the user's language where the command takes --language (a coded analytics error, or
    no price by the "as of" rule); the English line elsewhere."""
    if lang is None:
        return str(error)
    if isinstance(error, NoPriceError) and error.as_of is not None:
        rule = error.as_of
        held = held_back_text([(h.series, h.last) for h in rule.limiting_series], lang)
        return t("cli_no_price", lang, currency=rule.currency, day=format_day(rule.today, lang), held=held)
    return error_text(error, lang)


def _command_name(args: argparse.Namespace) -> str:
    return " ".join(part for part in (args.command, getattr(args, "action", None)) if part)


if __name__ == "__main__":
    sys.exit(main())
