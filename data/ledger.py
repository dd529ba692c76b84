"""The cooperative sales ledger: read a sales file, validate every row, store the good ones, edit, audit.

I/O lives here; the premium arithmetic is in analytics/premiums.py. An import is one transaction:
good rows and the import log are written together, or nothing is. A row that is wrong is listed with
its line number and reason and never stored; a row that is suspicious is stored and listed as flagged.
Files are read by data/parsing.py (the same reader, number and date parsers as the price importer) and
each row is validated by the declared schema in data/sale_schema.py (pydantic); messages are codes.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import String, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from analytics.premiums import (
    CERTIFICATIONS,
    CHARGE_COLUMNS,
    DEFAULT_PREMIUM_SCHEDULE,
    IMPLAUSIBLE_HIGH,
    IMPLAUSIBLE_LOW,
    benchmark_per_fine_gram,
)
from data.errors import StoreError, store_error
from data.importers import MAX_FILE_BYTES, PriceFileError
from data.ledger_rows import STORED_COLUMNS, Progress, validate_rows
from data.ledger_rows import entry as _entry
from data.parsing import FIRST_YEAR, Problem, Table, flags_json, normalised_name, read_table, stored_flags
from data.sale_schema import (
    CERTIFICATION_NAMES,
    FINE_GOLD_TOLERANCE,
    MAX_GROSS_WEIGHT_G,
    MONEY_COLUMNS,
    WEIGHT_UNITS,
)
from data.series import CURRENCIES, GOLD_SERIES, fx_series_for
from data.store import (
    LEDGER_VERSION,
    SCHEDULE_VERSION,
    MarketStore,
    bump_version,
    column_mappings_table,
    ledger_audit_table,
    ledger_imports_table,
    premium_schedule_table,
    sales_table,
)

__all__ = ["CERTIFICATION_NAMES", "FINE_GOLD_TOLERANCE", "WEIGHT_UNITS", "normalised_name"]

MAX_LEDGER_BYTES = MAX_FILE_BYTES  # the same upload limit as a price file (Streamlit's, 20 MB)
MAX_LEDGER_ROWS = 100_000
MAX_RATE_AGE_DAYS = 7  # a money column is converted at the last rate on or before the sale day, within this

#: Names that say the amount is what reached the cooperative (net), and names that may mean either: with
#: a net column in the sheet, a generic "Valor" beside it is the gross value, cross-checked, never the net.
NET_NAMES = ("amount_received", "neto_recibido", "valor_neto", "neto", "net_received", "net_amount",
             "monto_neto", "neto_pagado", "total_neto", "valor_neto_recibido", "liquido", "valor_liquido",
             "monto_recibido", "valor_recibido", "pago_recibido", "total_recibido", "valor_pagado")  # fmt: skip
GENERIC_AMOUNT_NAMES = ("monto", "valor", "amount", "total", "valor_total")
GROSS_NET_TOLERANCE = 0.01  # gross vs net + deductions: beyond 1 % of the gross, flag the sale for review
#: Our columns, and the names people give them (normalised: lower case, no accents, "_" between words).
#: A unit or currency in parentheses ("Peso bruto (g)", "Valor recibido (COP)") is read apart: the name
#: before it is matched here, and the unit or currency becomes the column's default.
FIELDS: dict[str, tuple[str, ...]] = {
    "sale_id": ("sale_id", "id", "lote", "lot", "id_venta", "venta", "lot_id", "numero_lote", "lote_n",
                "n_lote", "no_lote", "lote_no", "numero_de_lote", "remision", "factura", "n_factura"),
    "cooperative": ("cooperative", "cooperativa", "organizacion", "organization", "asociacion"),
    "date": ("date", "fecha", "fecha_venta", "sale_date", "fecha_de_venta", "dia"),
    "buyer": ("buyer", "comprador", "cliente", "client", "compradora", "comercializadora"),
    "gross_weight": ("gross_weight_g", "gross_weight", "peso_bruto", "peso_bruto_g", "peso", "weight",
                     "weight_g", "peso_g", "peso_en_gramos", "gramos", "peso_bruto_gramos"),
    "weight_unit": ("weight_unit", "unidad", "unidad_peso", "unit", "unidad_de_peso"),
    "fineness": ("fineness", "ley", "pureza", "purity", "ley_del_oro", "ley_milesimas", "tenor"),
    "fine_gold_g": ("fine_gold_g", "oro_fino_g", "peso_fino", "peso_fino_g", "fine_weight", "fine_gold",
                    "oro_fino"),
    "currency": ("currency", "moneda", "divisa"),
    "amount_received": (*NET_NAMES, *GENERIC_AMOUNT_NAMES),
    "gross_amount": ("gross_amount", "valor_bruto", "monto_bruto", "bruto", "total_bruto", "gross_value",
                     "gross", "valor_liquidado", "valor_liquidacion", "valor_factura", "valor_facturado"),
    "certification": ("certification", "certificacion", "sello", "certificado", "certificacion_del_oro"),
    "premium_received_usd": ("premium_received_usd", "prima_recibida_usd", "prima_usd", "premium_usd", "prima",
                             "prima_fairmined", "prima_fairmined_usd", "prima_fairtrade", "prima_recibida",
                             "prima_de_certificacion", "premium", "premium_received", "certification_premium"),
    "refining_charge": ("refining_charge", "refining", "refinacion", "costo_refinacion"),
    "assay_charge": ("assay_charge", "assay", "ensayo", "costo_ensayo"),
    "transport_charge": ("transport_charge", "transport", "transporte", "costo_transporte"),
    "export_charge": ("export_charge", "export", "exportacion", "costo_exportacion"),
    "royalties_paid": ("royalties_paid", "royalties", "regalias", "regalias_pagadas"),
    "withholding_paid": ("withholding_paid", "withholding", "retencion", "retencion_en_la_fuente",
                         "retefuente", "retencion_fuente"),
    "notes": ("notes", "notas", "observaciones", "comentarios", "observacion"),
}  # fmt: skip
#: Required columns; the cooperative may come from the caller, the currency from a header or a default,
#: and a sale without a lot id gets one derived from its content.
REQUIRED = ("date", "gross_weight", "fineness", "currency", "amount_received")
#: A TOTAL or subtotal row of a bookkeeper's sheet: skipped and reported, not an error.
TOTAL_ROW = re.compile(r"^(sub_?totale?s?|totale?s?|gran_total|total_general|suma|sumas)(_|$)")
#: Columns whose header may name the sheet's currency, in order of trust.
MONEY_FIELDS = ("amount_received", "royalties_paid", "withholding_paid", *CHARGE_COLUMNS)


class LedgerFileError(PriceFileError):
    """The file as a whole cannot be imported (nothing is stored): unreadable, empty, missing columns."""


class LedgerAccessError(PermissionError):
    """The signed-in user may not read or change this cooperative's sales (or this staff-only data)."""


@dataclass(frozen=True)
class LedgerScope:
    """Whose sales a reader may see and change; every ledger read and write in this module takes one.

    `cooperatives` None means every cooperative (staff, the operator at the command line); otherwise
    only the listed ones (a cooperative member). `user` is written in the import log and audit trail.
    """

    user: str
    cooperatives: frozenset[str] | None = None

    @property
    def is_staff(self) -> bool:
        return self.cooperatives is None

    def allows(self, cooperative: str) -> bool:
        return self.cooperatives is None or cooperative in self.cooperatives

    def within(self, requested: list[str] | None) -> list[str] | None:
        """The requested cooperatives this scope may read (None: no filter at all, staff only)."""
        if self.cooperatives is None:
            return requested
        allowed = self.cooperatives if requested is None else self.cooperatives & set(requested)
        return sorted(allowed)

    def require_staff(self, what: str) -> None:
        if not self.is_staff:
            raise LedgerAccessError(f"only staff may {what}")

    def require(self, cooperative: str) -> None:
        if not self.allows(cooperative):
            raise LedgerAccessError(f"{self.user!r} may not read or change the sales of {cooperative!r}")


#: The command line and a single-machine dashboard without users: whoever runs it owns the store.
OPERATOR = LedgerScope("cli")


def header_signature(header: list[str]) -> str:
    return hashlib.sha256("|".join(sorted(normalised_name(h) for h in header)).encode()).hexdigest()[:32]


def _header_parts(column: str) -> tuple[str, list[str]]:
    """'Valor recibido (COP)' → ('valor_recibido', ['cop']); 'Peso bruto (g)' → ('peso_bruto', ['g'])."""
    inside = [normalised_name(text) for text in re.findall(r"[(\[]([^)\]]*)[)\]]", str(column))]
    return normalised_name(re.sub(r"[(\[][^)\]]*[)\]]", " ", str(column))), inside


def auto_mapping(header: list[str]) -> dict[str, str]:
    """Our field → the file's column, for every column whose name we recognise (with its variants).

    A whole name wins over a name with its parentheses removed ("Peso bruto (g)" is "peso_bruto_g"
    and "peso_bruto"), so the same column is never claimed twice.
    """
    full = {normalised_name(column): column for column in reversed(header)}
    base = {_header_parts(column)[0]: column for column in reversed(header)}
    mapping: dict[str, str] = {}
    # the net amount first: "Neto recibido (COP)" beside "Valor (COP)" is the amount received, whichever
    # of the two matches by its whole name
    net = next((names_of[name] for names_of in (full, base) for name in NET_NAMES if name in names_of), None)
    if net is not None:
        mapping["amount_received"] = net
    for names_of in (full, base):
        for field_name, names in FIELDS.items():
            if field_name in mapping:
                continue
            for name in names:
                column = names_of.get(name)
                if column is not None and column not in mapping.values():
                    mapping[field_name] = column
                    break
    if net is not None and "gross_amount" not in mapping:  # a generic "Valor" beside the net: the gross
        gross = next(
            (
                names_of[name]
                for names_of in (full, base)
                for name in GENERIC_AMOUNT_NAMES
                if name in names_of and names_of[name] not in mapping.values()
            ),
            None,
        )
        if gross is not None:
            mapping["gross_amount"] = gross
    return mapping


def column_currency(column: str) -> str | None:
    """The currency a header names in parentheses: 'Prima Fairmined (COP)' → 'COP'; None when none."""
    tokens = [token.upper() for token in _header_parts(column)[1]]
    return next((token for token in tokens if token in CURRENCIES), None)


def fine_gold_unit(mapping: Mapping[str, str]) -> str | None:
    """The unit of the fine-gold column: named in it ("Oro fino (g)", "Peso fino (castellanos)") or in
    its name ("fine_gold_g", "oro_fino_g"); None: the gross weight's unit."""
    column = mapping.get("fine_gold_g")
    if column is None:
        return None
    base, inside = _header_parts(column)
    for token in inside:
        if token in WEIGHT_UNITS:
            return WEIGHT_UNITS[token]
    full = normalised_name(column)
    if full.endswith("_g") or full.endswith("_gramos"):
        return "g"
    return None


def header_defaults(mapping: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(weight unit, currency) named in the mapped columns' headers: "Peso (castellanos)", "Valor (COP)"."""
    unit = None
    if "gross_weight" in mapping:
        base, inside = _header_parts(mapping["gross_weight"])
        tokens = inside + (base.rsplit("_", 1)[-1:] if "_" in base else [])  # "(castellanos)", "peso_kg"
        unit = next((WEIGHT_UNITS[token] for token in tokens if token in WEIGHT_UNITS), None)
    currency = None
    for name in MONEY_FIELDS:
        if name in mapping:
            tokens = [token.upper() for token in _header_parts(mapping[name])[1]]
            currency = next((token for token in tokens if token in CURRENCIES), None)
            if currency:
                break
    return unit, currency


def _effective_mapping(header: list[str], explicit: Mapping[str, str] | None) -> dict[str, str]:
    """Recognised columns, with the caller's choices over them (a column serves one field only)."""
    chosen = {name: column for name, column in (explicit or {}).items() if column and name in FIELDS}
    automatic = {
        name: column
        for name, column in auto_mapping(header).items()
        if name not in chosen and column not in chosen.values()
    }
    return {**automatic, **chosen}


@dataclass
class LedgerParse:
    """A validated file: the rows that can be stored, and every row that cannot or needs review."""

    rows_read: int
    sales: pd.DataFrame  # STORED_COLUMNS + "line" + "flags"
    rejected: list[dict] = field(default_factory=list)  # {"line", "sale_id", "reason", "code", "problems"}
    flagged: list[dict] = field(default_factory=list)  # {"line", "sale_id", "reason", "code", "problems"}
    mapping: dict[str, str] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)  # TOTAL/subtotal rows: {"line", "reason", "code", ...}
    currency: str | None = None  # the currency of rows without a currency cell (header or default)
    #: What the import understood, field by field: {"field", "column", "unit", "currency"} (before storing)
    understood: list[dict] = field(default_factory=list)
    #: Money columns converted at the sale day's rate: {"field", "from_currency", "to_currency",
    #: "rate_series", "rows", "rows_without_rate"}
    conversions: list[dict] = field(default_factory=list)
    #: Whether the sheet names its lots (a sale_id column); without, lots are matched by what they are
    has_ids: bool = False
    #: Stored lots this sheet corrects: {"line", "sale_id", "fields", "before", "after"} (preview_ledger)
    changed: list[dict] = field(default_factory=list)


def _read(content: bytes, filename: str) -> Table:
    try:
        return read_table(content, filename, max_rows=MAX_LEDGER_ROWS, error=LedgerFileError, columnar=True)
    except LedgerFileError:
        raise
    except PriceFileError as error:  # pragma: no cover - read_table raises the class it is given
        raise LedgerFileError(error.problem.code, **error.problem.params) from error


def parse_ledger(
    content: bytes,
    filename: str,
    *,
    cooperative: str | None = None,
    mapping: Mapping[str, str] | None = None,
    today: pd.Timestamp | None = None,
    currency: str | None = None,
    rates: Callable[[str], pd.Series | None] | None = None,
    progress: Progress | None = None,
) -> LedgerParse:
    """Read and validate a sales file; raises LedgerFileError when the file as a whole is unusable.

    `currency` is the default for rows without one (a header such as "Valor recibido (COP)" wins over
    it). Every row is validated by the declared schema (data/sale_schema.py); a wrong row is rejected
    with all its problems, a TOTAL row skipped, and nothing about one row refuses the whole file.
    A money column whose header names another currency ("Prima Fairmined (COP)") is converted at the
    sale day's rate, `rates(currency)` being the stored local-currency-per-USD series (None: no rate,
    the value is stored as 0 and the sale flagged for review). A gross column beside the net amount is
    cross-checked against net + the sheet's deductions.
    """
    table = _read(content, filename)
    if not table.header or not any(table.header):
        raise LedgerFileError("file_empty")
    if not table.row_count:
        raise LedgerFileError("header_only")
    columns = _effective_mapping(table.header, mapping)
    unknown = sorted({v for v in columns.values() if v not in table.header})
    if unknown:
        raise LedgerFileError("unknown_mapped_columns", columns=unknown)
    header_unit, header_currency = header_defaults(columns)
    default_currency = header_currency or (currency.upper() if currency else None)
    missing = [
        name
        for name in REQUIRED
        if name not in columns and not (name == "currency" and default_currency in CURRENCIES)
    ]
    if "cooperative" not in columns and not cooperative:
        missing.append("cooperative")
    if missing:
        raise LedgerFileError("missing_columns", columns=missing, header=list(table.header))
    context = {
        "decimal": table.decimal,
        "today": (today or pd.Timestamp.now()).normalize(),
        "unit": header_unit or "g",
        "currency": default_currency,
    }
    fine_unit = fine_gold_unit(columns)
    index = {name: table.header.index(column) for name, column in columns.items()}
    has_ids = "sale_id" in columns
    #: money fields whose header names a currency (premium: USD unless its header names another)
    named_currency = {name: column_currency(columns[name]) for name in MONEY_COLUMNS if name in columns}
    sales, rejected, skipped = validate_rows(
        table,
        index,
        context,
        fields=list(FIELDS),
        cooperative=cooperative,
        total_row=TOTAL_ROW,
        progress=progress,
        fine_unit=fine_unit,
    )
    converter = _Converter(rates)
    row_flags = _convert_money(sales, named_currency, converter)
    flags = [""] * len(sales)
    flagged = []
    lines, sale_ids = sales["line"].tolist(), sales["sale_id"].tolist()
    for position in sorted(row_flags):  # only the rows flagged while they were read
        flags[position] = flags_json(row_flags[position])
        flagged.append(_entry(int(lines[position]), str(sale_ids[position]), row_flags[position]))
    sales = sales[["line", *STORED_COLUMNS]].copy()
    sales["flags"] = pd.Series(flags, index=sales.index, dtype="str")
    understood = _understood(columns, header_unit, fine_unit, named_currency, default_currency)
    return LedgerParse(
        table.row_count,
        sales,
        rejected,
        flagged,
        columns,
        skipped,
        default_currency,
        understood=understood,
        conversions=converter.report(),
        has_ids=has_ids,
    )


def _convert_money(
    sales: pd.DataFrame, named_currency: Mapping[str, str | None], converter: _Converter
) -> dict[int, list[Problem]]:
    """Convert, in `sales`, the money columns whose header names another currency than the sale's (USD
    for the premium) at the sale day's rate, and cross-check a gross column against net + deductions;
    the review flags by row position (a row's no-rate flags in column order, then a gross/net one)."""
    row_flags: dict[int, list[Problem]] = {}
    if sales.empty:
        return row_flags
    days = pd.DatetimeIndex(sales["date"])
    currencies = sales["currency"].to_numpy(dtype=object)
    for order, (name, source) in enumerate(named_currency.items()):
        if source is None:
            continue
        values = sales[name].to_numpy(dtype=float, na_value=np.nan)
        targets = np.full(len(sales), "USD", dtype=object) if name == "premium_received_usd" else currencies
        todo = (targets != source) & ~np.isnan(values) & (values != 0)
        if not todo.any():
            continue
        converted = values.copy()
        for target in pd.unique(targets[todo]):
            rows = np.flatnonzero(todo & (targets == target))
            result = converter.convert(name, order, values[rows], source, str(target), days[rows], rows)
            converted[rows] = np.where(np.isnan(result), 0.0, result)
            where = "USD" if target == "USD" else "the sale's currency"
            series = _rate_series(source, str(target))
            for position in rows[np.isnan(result)].tolist():
                params = {
                    "field": name,
                    "value": float(values[position]),
                    "currency": source,
                    "series": series,
                    "target": where,
                }
                row_flags.setdefault(position, []).append(Problem("no_rate", params))
        sales[name] = converted
    if "gross_amount" in sales.columns:
        gross = sales["gross_amount"].to_numpy(dtype=float, na_value=np.nan)
        deductions = np.zeros(len(sales))
        for name in (*CHARGE_COLUMNS, "royalties_paid", "withholding_paid"):
            deductions = deductions + sales[name].to_numpy(dtype=float)
        computed = sales["amount_received"].to_numpy(dtype=float) + deductions
        with np.errstate(invalid="ignore"):
            mismatch = (
                ~np.isnan(gross) & (gross != 0) & (np.abs(gross - computed) > GROSS_NET_TOLERANCE * gross)
            )
        for position in np.flatnonzero(mismatch).tolist():
            value, total = float(gross[position]), float(computed[position])
            params = {"gross": value, "computed": total, "pct": (value / total - 1) * 100}
            row_flags.setdefault(position, []).append(Problem("gross_net_mismatch", params))
    return row_flags


def _understood(
    columns: Mapping[str, str],
    unit: str | None,
    fine_unit: str | None,
    named_currency: Mapping[str, str | None],
    currency: str | None,
) -> list[dict]:
    """Field by field, the column it came from and the unit or currency it was read in (the preview's table).

    `currency` None: each row's currency column; a money field's own header currency wins (converted).
    """
    weight_unit = None if "weight_unit" in columns else (unit or "g")
    rows = []
    for name in FIELDS:
        if name not in columns:
            continue
        entry: dict[str, object] = {"field": name, "column": columns[name], "unit": None, "currency": None}
        if name == "gross_weight":
            entry["unit"] = weight_unit
        elif name == "fine_gold_g":
            entry["unit"] = fine_unit or weight_unit
        elif name == "premium_received_usd":
            entry["currency"] = named_currency.get(name) or "USD"
        elif name in named_currency or name == "amount_received":
            entry["currency"] = column_currency(columns[name]) or currency
        rows.append(entry)
    return rows


class _Converter:
    """Converts money between currencies at the sale day's rate (the last within 7 days), and counts."""

    def __init__(self, rates: Callable[[str], pd.Series | None] | None):
        self._rates = rates
        self._series: dict[str, pd.Series | None] = {}
        #: (field, from, to) → [rows, rows without a rate, first row position, field's order]
        self._counts: dict[tuple[str, str, str], list[int]] = {}

    def _per_usd(self, currency: str, days: pd.DatetimeIndex) -> np.ndarray:
        """Local currency per USD on each day (NaN: no positive rate within MAX_RATE_AGE_DAYS before)."""
        if currency == "USD":
            return np.ones(len(days))
        if currency not in self._series:
            series = self._rates(currency) if self._rates is not None else None
            self._series[currency] = None if series is None else series.dropna().sort_index()
        series = self._series[currency]
        if series is None or series.empty:
            return np.full(len(days), np.nan)
        stamps = np.asarray(pd.DatetimeIndex(series.index).as_unit("ns"), dtype="datetime64[ns]")
        wanted = np.asarray(days.as_unit("ns"), dtype="datetime64[ns]")
        position = np.searchsorted(stamps, wanted, side="right") - 1
        at = np.clip(position, 0, None)
        age_days = (wanted - stamps[at]) // np.timedelta64(1, "D")
        value = series.to_numpy(dtype=float)[at]
        usable = (position >= 0) & (age_days <= MAX_RATE_AGE_DAYS) & (value > 0)
        return np.where(usable, value, np.nan)

    def convert(
        self,
        name: str,
        order: int,
        values: np.ndarray,
        source: str,
        target: str,
        days: pd.DatetimeIndex,
        positions: np.ndarray,
    ) -> np.ndarray:
        """`values` (of rows `positions`, field `name` the `order`-th money column) in `target`;
        NaN where a rate is missing."""
        with np.errstate(invalid="ignore"):
            converted = values / self._per_usd(source, days) * self._per_usd(target, days)
        counts = self._counts.setdefault((name, source, target), [0, 0, int(positions[0]), order])
        counts[0] += len(values)
        counts[1] += int(np.isnan(converted).sum())
        return converted

    def report(self) -> list[dict]:
        """In the order a row-by-row reading meets them: by first row, then by column."""
        ordered = sorted(self._counts.items(), key=lambda item: (item[1][2], item[1][3]))
        return [
            {
                "field": name,
                "from_currency": source,
                "to_currency": target,
                "rate_series": _rate_series(source, target),
                "rows": counts[0],
                "rows_without_rate": counts[1],
            }
            for (name, source, target), counts in ordered
        ]


def _rate_series(source: str, target: str) -> str:
    """The stored series a conversion uses: 'USD_COP'; two for a cross rate: 'USD_PEN,USD_COP'."""
    return ",".join(
        series for currency in (source, target) if (series := fx_series_for(currency)) is not None
    )


def flag_implausible_prices(
    parsed: LedgerParse, gold_usd_per_oz: pd.Series | None, fx_per_usd: Mapping[str, pd.Series]
) -> None:
    """Flag (keep) sales whose price is under 30 % or over 200 % of the benchmark, or has no benchmark."""
    sales = parsed.sales
    if sales.empty:
        return
    if gold_usd_per_oz is None or gold_usd_per_oz.empty:
        bench = pd.Series(np.nan, index=sales.index)
    else:
        bench = benchmark_per_fine_gram(sales["date"], sales["currency"], gold_usd_per_oz, dict(fx_per_usd))[
            "benchmark_price_per_g"
        ]
    share = (sales["amount_received"] / sales["fine_gold_g"] / bench).to_numpy(float)
    review = np.isnan(share) | (share < IMPLAUSIBLE_LOW) | (share > IMPLAUSIBLE_HIGH)
    flags = sales["flags"].tolist()
    lines, sale_ids = sales["line"].tolist(), sales["sale_id"].tolist()
    at_line = {int(entry["line"]): at for at, entry in enumerate(parsed.flagged)}
    for position in np.flatnonzero(review).tolist():  # only the rows to review, one by one
        ratio = share[position]
        if np.isnan(ratio):
            problem = Problem("no_benchmark")
        else:
            problem = Problem(
                "price_implausible",
                {"pct": ratio * 100, "low": IMPLAUSIBLE_LOW * 100, "high": IMPLAUSIBLE_HIGH * 100},
            )
        line = int(lines[position])
        earlier = (stored_flags(flags[position]) or []) if flags[position] else []
        flags[position] = flags_json([*earlier, problem])
        if earlier and line in at_line:  # the same line was flagged while it was read (gross/net, rate)
            parsed.flagged[at_line[line]].update(_entry(line, str(sale_ids[position]), [*earlier, problem]))
        else:
            parsed.flagged.append(_entry(line, str(sale_ids[position]), [problem]))
    sales["flags"] = pd.Series(flags, index=sales.index, dtype="str")
    parsed.flagged.sort(key=lambda entry: entry["line"])


# ---------------------------------------------------------------- the store


def reject_outside_scope(parsed: LedgerParse, scope: LedgerScope) -> None:
    """Move rows of cooperatives the user may not write from the good rows to the rejected ones."""
    outside = ~parsed.sales["cooperative"].map(scope.allows).astype(bool)
    for row in parsed.sales[outside].itertuples():
        problem = Problem("outside_scope", {"cooperative": row.cooperative})
        parsed.rejected.append(_entry(int(row.line), str(row.sale_id), [problem]))
    parsed.rejected.sort(key=lambda entry: entry["line"])
    parsed.sales = parsed.sales[~outside]


def _cli_entry(entry: Mapping[str, object]) -> dict[str, object]:
    """The CLI report's shape of a row: line, the English reason, and its code."""
    return {"line": entry["line"], "reason": entry["reason"], "code": entry.get("code")}


def _identity(row: Mapping[str, object]) -> tuple[object, ...]:
    """What makes a lot the same lot (DOMAIN.md): cooperative, date, buyer, weights, fineness and
    certification; never its amount, which a corrected sheet changes."""
    return (
        str(row["cooperative"]),
        f"{pd.Timestamp(row['date']):%Y-%m-%d}",
        normalised_name(str(row["buyer"] or "")),
        round(float(row["gross_weight_g"]), 3),  # type: ignore[arg-type]
        round(float(row["fineness"]), 4),  # type: ignore[arg-type]
        str(row["certification"]),
    )


#: The stored fields a re-sent sheet may correct (its lot stays the same lot).
CORRECTABLE = tuple(name for name in STORED_COLUMNS if name not in ("cooperative", "sale_id"))


def _differences(stored: Mapping[str, object], new: Mapping[str, object]) -> list[str]:
    changed = []
    for name in CORRECTABLE:
        a, b = stored[name], new[name]
        if isinstance(a, float) or isinstance(b, float):
            if not math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9):  # type: ignore[arg-type]
                changed.append(name)
        elif str(a) != str(b):
            changed.append(name)
    return changed


def _plain(value: object) -> object:
    if hasattr(value, "isoformat"):
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    return value.item() if isinstance(value, np.generic) else value


def _changed_entry(
    line: int, stored: Mapping[str, object], row: Mapping[str, object], fields: list[str]
) -> dict:
    return {
        "line": line,
        "sale_id": str(stored["sale_id"]),
        "fields": fields,
        "before": {name: _plain(stored[name]) for name in fields},
        "after": {name: _plain(row[name]) for name in fields},
    }


#: Rows per INSERT statement of an import (all of them in one transaction).
INSERT_BATCH = 5_000


def _stored_columns(sales: pd.DataFrame) -> dict[str, list]:
    """The good rows' stored columns as lists of plain Python values (dates as dates)."""
    columns: dict[str, list] = {}
    for name in STORED_COLUMNS:
        if name == "date":
            columns[name] = [day.date() for day in pd.to_datetime(sales["date"])]
        elif pd.api.types.is_float_dtype(sales[name]):
            columns[name] = [float(value) for value in sales[name].tolist()]
        else:
            columns[name] = sales[name].tolist()
    return columns


def _insert_sales(conn, columns: Mapping[str, list], positions: list[int]) -> None:
    """One executemany of plain tuples straight to the driver (SQLAlchemy's per-row parameter
    processing cost more than the insert itself at 100,000 rows). `columns` holds every column of the
    table as lists of the driver's types (SQLite stores a date as its ISO text, as SQLAlchemy's Date
    does); `positions` are the rows to insert."""
    names = [column.name for column in sales_table.columns]
    quote = conn.dialect.identifier_preparer.quote
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {quote(sales_table.name)} ({', '.join(quote(name) for name in names)}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )
    chosen = []
    for name in names:
        values = columns[name]
        if conn.dialect.name == "sqlite" and name == "date":
            values = [day.isoformat() for day in values]
        chosen.append(values if len(positions) == len(values) else [values[at] for at in positions])
    conn.exec_driver_sql(statement, list(zip(*chosen, strict=True)))


def _stored_sales(conn, keys: list[tuple[str, str]]) -> dict[tuple[object, object], dict]:
    """The stored rows among `keys` (cooperative, sale_id): only the ids are read for the rest."""
    existing: dict[tuple[object, object], dict] = {}
    for cooperative in sorted({key[0] for key in keys}):
        wanted = {key[1] for key in keys if key[0] == cooperative}
        stored_ids = set(
            conn.execute(
                select(sales_table.c.sale_id).where(sales_table.c.cooperative == cooperative)
            ).scalars()
        )
        overlap = sorted(wanted & stored_ids)
        for start in range(0, len(overlap), 500):
            chunk = overlap[start : start + 500]
            result = conn.execute(
                select(sales_table).where(
                    sales_table.c.cooperative == cooperative, sales_table.c.sale_id.in_(chunk)
                )
            )
            for stored in result.mappings():
                existing[(stored["cooperative"], stored["sale_id"])] = dict(stored)
    return existing


def _stored_on_days(conn, days: Mapping[object, set]) -> list[dict]:
    """The stored rows of each cooperative on the given days (the only candidates of a lot identity)."""
    found: list[dict] = []
    for cooperative in sorted(days, key=str):
        wanted = sorted(days[cooperative])
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            result = conn.execute(
                select(sales_table).where(
                    sales_table.c.cooperative == cooperative, sales_table.c.date.in_(chunk)
                )
            )
            found += [dict(stored) for stored in result.mappings()]
    return found


class _Rows:
    """The good rows' stored values (`_stored_columns`), converted a batch of INSERT_BATCH rows at a time
    and only the last batch kept: rows are visited in order, so memory stays one batch's."""

    def __init__(self, sales: pd.DataFrame):
        self.sales = sales
        self.keys = list(zip(sales["cooperative"].tolist(), sales["sale_id"].tolist(), strict=True))
        self._start = -1
        self._columns: dict[str, list] = {}

    def batch(self, start: int) -> dict[str, list]:
        if start != self._start:
            self._columns = _stored_columns(self.sales.iloc[start : start + INSERT_BATCH])
            self._start = start
        return self._columns

    def row(self, position: int) -> dict[str, object]:
        start = position - position % INSERT_BATCH
        columns = self.batch(start)
        return {name: columns[name][position - start] for name in STORED_COLUMNS}


def _match_stored(conn, rows: _Rows, has_ids: bool) -> dict[int, tuple[str, dict, list[str]]]:
    """The good rows (by position) that are stored lots:
    position → ("same", stored, []) or ("changed", stored, fields); any other row is new.

    A row is the stored lot of the same id; in a sheet without lot ids (ids derived from the content,
    amount included), else the stored lot of the same identity not claimed by another row, the k-th
    twin of the sheet pairing with the k-th stored twin. Only the stored rows the sheet may meet are
    read: those of its ids, and without ids those of its cooperatives' sale days.
    """
    keys = rows.keys
    existing = _stored_sales(conn, keys)
    matches: dict[int, tuple[str, dict, list[str]]] = {}
    for position, key in enumerate(keys):
        stored = existing.get(key)
        if stored is not None:
            fields = _differences(stored, rows.row(position))
            matches[position] = ("changed", stored, fields) if fields else ("same", stored, [])
    if has_ids:
        return matches
    open_days: dict[object, set] = {}
    days = [day.date() for day in pd.to_datetime(rows.sales["date"])]
    for position, ((cooperative, _), day) in enumerate(zip(keys, days, strict=True)):
        if position not in matches:
            open_days.setdefault(cooperative, set()).add(day)
    by_identity: dict[tuple[object, ...], list[dict]] = {}
    for stored in sorted(_stored_on_days(conn, open_days), key=lambda row: str(row["sale_id"])):
        if (stored["cooperative"], stored["sale_id"]) not in existing:  # not claimed by its id
            by_identity.setdefault(_identity(stored), []).append(stored)
    if not by_identity:
        return matches
    for position in range(len(keys)):
        if position in matches:
            continue
        row = rows.row(position)
        candidates = by_identity.get(_identity(row))
        if candidates:
            stored = candidates.pop(0)
            fields = _differences(stored, row)
            matches[position] = ("changed", stored, fields) if fields else ("same", stored, [])
    return matches


def find_changes(store: MarketStore, parsed: LedgerParse) -> None:
    """Fill `parsed.changed`: the stored lots this sheet corrects (read only; nothing is stored)."""
    if parsed.sales.empty:
        parsed.changed = []
        return
    rows = _Rows(parsed.sales)
    with store.engine.connect() as conn:
        matches = _match_stored(conn, rows, parsed.has_ids)
    lines = parsed.sales["line"].tolist()
    parsed.changed = [
        _changed_entry(int(lines[position]), stored, rows.row(position), fields)
        for position, (kind, stored, fields) in sorted(matches.items())
        if kind == "changed"
    ]


def store_ledger(
    store: MarketStore,
    parsed: LedgerParse,
    filename: str,
    scope: LedgerScope,
    *,
    apply_changes: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Insert the new good rows and the import log in one transaction; report in the CLI's shape.

    A lot already stored (the same id, or in a sheet without ids the same date, buyer, weights, fineness
    and certification) is never stored twice: with the same values it counts as a duplicate (importing a
    file twice adds nothing); with other values it is listed under `changed`, and written, with an audit
    entry as an edit has, only with `apply_changes`. Rows of a cooperative outside the user's scope are
    rejected, line by line.
    """
    reject_outside_scope(parsed, scope)
    report_rejected = list(parsed.rejected)
    inserted = duplicates = 0
    with store.engine.begin() as conn:
        sales = parsed.sales
        rows = _Rows(sales)
        flags = sales["flags"].tolist()
        lines = sales["line"].tolist()
        matches = _match_stored(conn, rows, parsed.has_ids)
        log = conn.execute(
            insert(ledger_imports_table).values(
                at=datetime.now(UTC),
                user=scope.user,
                filename=filename,
                rows_read=parsed.rows_read,
                inserted=0,
                report="",
            )
        )
        import_id = log.inserted_primary_key[0] if log.inserted_primary_key else None
        changed: list[dict] = []
        for position, (kind, stored, fields) in sorted(matches.items()):
            if kind == "same":
                duplicates += 1
                continue
            row = rows.row(position)
            flag = flags[position]
            entry = _changed_entry(int(lines[position]), stored, row, fields)
            entry["applied"] = apply_changes
            changed.append(entry)
            if apply_changes:
                values = {name: row[name] for name in CORRECTABLE}
                key = _key(str(stored["cooperative"]), str(stored["sale_id"]))
                conn.execute(update(sales_table).where(key).values(**values, flags=flag))
                after = {**stored, **values, "flags": flag}
                _audit(
                    conn,
                    scope.user,
                    "edit",
                    str(stored["cooperative"]),
                    str(stored["sale_id"]),
                    stored,
                    after,
                )
        for start in range(0, len(sales), INSERT_BATCH):  # one transaction, bounded batches
            end = min(start + INSERT_BATCH, len(sales))
            new = [position - start for position in range(start, end) if position not in matches]
            if new:
                batch = {
                    **rows.batch(start),
                    "flags": flags[start:end],
                    "import_id": [import_id] * (end - start),
                }
                _insert_sales(conn, batch, new)
            inserted += len(new)
            if progress:
                progress(end / len(sales))
        bump_version(conn, LEDGER_VERSION)  # the import log changed even when no sale was new
        report = {
            "rows_read": parsed.rows_read,
            "inserted": inserted,
            "duplicates": duplicates,
            "flagged": [_cli_entry(f) for f in parsed.flagged],
            "rejected": sorted([_cli_entry(r) for r in report_rejected], key=lambda r: int(str(r["line"]))),
            "skipped": [_cli_entry(s) for s in parsed.skipped],
            "currency": parsed.currency,
            "mapping": dict(parsed.mapping),
            "conversions": list(parsed.conversions),
            "changed": changed,
            "changes_applied": sum(1 for entry in changed if entry["applied"]),
            "understood": list(parsed.understood),
        }
        conn.execute(
            update(ledger_imports_table)
            .where(ledger_imports_table.c.id == import_id)
            .values(inserted=inserted, report=json.dumps(report))
        )
    return report


def load_sales(
    store: MarketStore,
    scope: LedgerScope,
    cooperatives: list[str] | None = None,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Stored sales the scope may read, optionally for some cooperatives and a date range, by date."""
    query = select(sales_table)
    readable = scope.within(cooperatives)
    if readable is not None:
        query = query.where(sales_table.c.cooperative.in_(readable))
    if start is not None:
        query = query.where(sales_table.c.date >= pd.Timestamp(start).date())
    if end is not None:
        query = query.where(sales_table.c.date <= pd.Timestamp(end).date())
    with store.engine.connect() as conn:
        # the driver's own rows (dates as SQLite's text or PostgreSQL's dates, both read by to_datetime):
        # SQLAlchemy's per-row processing and pandas probing each Row cost seconds at 100,000 sales
        rows = conn.execute(query.order_by(sales_table.c.date, sales_table.c.sale_id)).cursor.fetchall()
    names = list(sales_table.columns.keys())  # the table's column order
    by_column = dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)) if rows else None
    frame = pd.DataFrame(by_column, columns=names)
    frame["date"] = pd.to_datetime(frame["date"])
    if rows:  # whole days, as SQLAlchemy's date objects gave them
        frame["date"] = frame["date"].astype("datetime64[s]")
    return frame


def _scoped(query, scope: LedgerScope, cooperatives: list[str] | None):
    readable = scope.within(cooperatives)
    return query if readable is None else query.where(sales_table.c.cooperative.in_(readable))


def stored_cooperatives(store: MarketStore, scope: LedgerScope) -> list[str]:
    """The cooperatives with stored sales that the scope may read (one query, no sale read)."""
    query = _scoped(select(sales_table.c.cooperative).distinct(), scope, None)
    with store.engine.connect() as conn:
        return sorted(conn.execute(query).scalars())


@dataclass(frozen=True)
class SalesTotals:
    """Count, fine gold and first and last day of the stored sales a scope reads (SQL aggregates)."""

    count: int
    fine_gold_g: float
    first: pd.Timestamp | None
    last: pd.Timestamp | None


def sales_totals(
    store: MarketStore, scope: LedgerScope, cooperatives: list[str] | None = None
) -> SalesTotals:
    """The stored sales' count, fine gold and date range, aggregated in the database."""
    column = sales_table.c
    query = _scoped(
        select(
            func.count(),
            func.coalesce(func.sum(column.fine_gold_g), 0.0),
            func.min(column.date),
            func.max(column.date),
        ),
        scope,
        cooperatives,
    )
    with store.engine.connect() as conn:
        count, fine, first, last = conn.execute(query).one()
    return SalesTotals(
        int(count),
        float(fine),
        None if first is None else pd.Timestamp(first),
        None if last is None else pd.Timestamp(last),
    )


def load_sales_page(
    store: MarketStore,
    scope: LedgerScope,
    cooperatives: list[str] | None = None,
    *,
    offset: int = 0,
    limit: int = 100,
) -> pd.DataFrame:
    """One page of the stored sales (`load_sales`' order and columns), read with LIMIT/OFFSET."""
    query = _scoped(select(sales_table), scope, cooperatives)
    query = query.order_by(sales_table.c.date, sales_table.c.sale_id, sales_table.c.cooperative)
    with store.engine.connect() as conn:
        rows = conn.execute(query.offset(max(0, int(offset))).limit(max(1, int(limit)))).all()
    frame = pd.DataFrame(rows, columns=list(sales_table.columns.keys()))
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _audit(conn, user: str, action: str, cooperative: str, sale_id: str, before, after) -> None:
    def as_text(values) -> str | None:
        return None if values is None else json.dumps(values, default=str, ensure_ascii=False, sort_keys=True)

    conn.execute(
        insert(ledger_audit_table).values(
            at=datetime.now(UTC),
            user=user,
            action=action,
            cooperative=cooperative,
            sale_id=sale_id,
            before=as_text(before),
            after=as_text(after),
        )
    )


def _key(cooperative: str, sale_id: str):
    return and_(sales_table.c.cooperative == cooperative, sales_table.c.sale_id == sale_id)


def _check_edit_bounds(after: Mapping[str, object]) -> None:
    """The import's bounds hold for an edit too: finite, sane numbers and a date between 1900 and today."""
    numbers = ("gross_weight_g", "amount_received", "premium_received_usd", *CHARGE_COLUMNS,
               "royalties_paid", "withholding_paid")  # fmt: skip
    for name in numbers:
        value = float(after[name])  # type: ignore[arg-type]
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number ≥ 0")
    if float(after["gross_weight_g"]) > MAX_GROSS_WEIGHT_G:  # type: ignore[arg-type]
        raise ValueError(f"a weight above {MAX_GROSS_WEIGHT_G:,.0f} g is a typo")
    day = pd.Timestamp(after["date"])
    if day.year < FIRST_YEAR or day.normalize() > pd.Timestamp.now().normalize():
        raise ValueError(f"the date must be between {FIRST_YEAR} and today")


def edit_sale(
    store: MarketStore, scope: LedgerScope, cooperative: str, sale_id: str, changes: Mapping[str, object]
) -> dict:
    """Change some fields of one sale (fine gold follows gross weight × fineness); audited."""
    scope.require(cooperative)
    editable = set(STORED_COLUMNS) - {"cooperative", "sale_id", "fine_gold_g"}
    unknown = set(changes) - editable
    if unknown:
        raise ValueError(f"these fields cannot be edited: {', '.join(sorted(unknown))}")
    if (too_long := _too_long(changes)) is not None:
        raise ValueError(too_long)
    with store.engine.begin() as conn:
        before = conn.execute(select(sales_table).where(_key(cooperative, sale_id))).mappings().first()
        if before is None:
            raise ValueError(f"no sale {sale_id!r} for {cooperative!r}")
        after = {**dict(before), **changes}
        if not (0 < float(after["fineness"]) <= 1) or float(after["gross_weight_g"]) <= 0:
            raise ValueError("weight must be positive and fineness in (0, 1]")
        if after["currency"] not in CURRENCIES or after["certification"] not in CERTIFICATIONS:
            raise ValueError("unknown currency or certification")
        if float(after["amount_received"]) <= 0:
            raise ValueError("the amount received must be positive")
        _check_edit_bounds(after)
        after["fine_gold_g"] = float(after["gross_weight_g"]) * float(after["fineness"])
        after["date"] = pd.Timestamp(after["date"]).date()
        values = {name: after[name] for name in STORED_COLUMNS if name not in ("cooperative", "sale_id")}
        conn.execute(update(sales_table).where(_key(cooperative, sale_id)).values(**values))
        _audit(conn, scope.user, "edit", cooperative, sale_id, dict(before), after)
        bump_version(conn, LEDGER_VERSION)
    return after


def delete_sale(store: MarketStore, scope: LedgerScope, cooperative: str, sale_id: str) -> None:
    scope.require(cooperative)
    with store.engine.begin() as conn:
        before = conn.execute(select(sales_table).where(_key(cooperative, sale_id))).mappings().first()
        if before is None:
            raise ValueError(f"no sale {sale_id!r} for {cooperative!r}")
        conn.execute(delete(sales_table).where(_key(cooperative, sale_id)))
        _audit(conn, scope.user, "delete", cooperative, sale_id, dict(before), None)
        bump_version(conn, LEDGER_VERSION)


def audit_trail(
    store: MarketStore, scope: LedgerScope, cooperatives_shown: list[str] | None = None
) -> pd.DataFrame:
    """Who edited or deleted which sale, newest first: staff only (it holds every cooperative's values)."""
    scope.require_staff("read the audit trail")
    query = select(ledger_audit_table).order_by(ledger_audit_table.c.id.desc())
    if cooperatives_shown is not None:
        query = query.where(ledger_audit_table.c.cooperative.in_(cooperatives_shown))
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all())


def _learned_only(header: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """The part of a mapping the importer could not find by itself: fields and columns it does not know."""
    automatic = auto_mapping(header)
    return {
        name: column
        for name, column in mapping.items()
        if name in FIELDS and column in header and name not in automatic and column not in automatic.values()
    }


def remembered_mapping(
    store: MarketStore, header: list[str], cooperative: str | None = None
) -> dict[str, str]:
    """What this cooperative mapped by hand for files with these columns ({} for no cooperative).

    Mappings are kept per cooperative (one member's choices never reach another cooperative's files)
    and never cover a column or field the importer recognises by itself.
    """
    if not cooperative:
        return {}
    with store.engine.connect() as conn:
        text = conn.execute(
            select(column_mappings_table.c.mapping).where(
                column_mappings_table.c.cooperative == cooperative,
                column_mappings_table.c.signature == header_signature(header),
            )
        ).scalar()
    try:
        stored = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    return _learned_only(header, stored) if isinstance(stored, dict) else {}


def remember_mapping(
    store: MarketStore,
    header: list[str],
    mapping: Mapping[str, str],
    cooperative: str | None = None,
    scope: LedgerScope | None = None,
) -> None:
    """Keep the hand-made part of a mapping for this cooperative's next file with the same columns.

    Nothing is kept without a cooperative, or for a cooperative the scope may not import for.
    """
    if not cooperative or (scope is not None and not scope.allows(cooperative)):
        return
    learned = _learned_only(header, mapping)
    signature = header_signature(header)
    with store.engine.begin() as conn:
        conn.execute(
            delete(column_mappings_table).where(
                column_mappings_table.c.cooperative == cooperative,
                column_mappings_table.c.signature == signature,
            )
        )
        if learned:
            conn.execute(
                insert(column_mappings_table).values(
                    cooperative=cooperative,
                    signature=signature,
                    mapping=json.dumps(learned),
                    updated_at=datetime.now(UTC),
                )
            )


def premium_schedule(store: MarketStore) -> pd.DataFrame:
    """The stored schedule, or DOMAIN.md's defaults when none was saved."""
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(select(premium_schedule_table)).mappings().all())
    if frame.empty:
        return DEFAULT_PREMIUM_SCHEDULE.copy()
    frame["valid_from"] = pd.to_datetime(frame["valid_from"])
    return frame.sort_values(["certification", "valid_from"]).reset_index(drop=True)


def save_premium_schedule(store: MarketStore, scope: LedgerScope, schedule: pd.DataFrame) -> None:
    """Replace the schedule every cooperative's premiums are checked against: staff only."""
    scope.require_staff("change the premium schedule")
    clean = schedule.dropna(subset=["certification", "valid_from"])
    bad = clean[~clean["certification"].isin(CERTIFICATIONS)]
    if not bad.empty:
        raise ValueError(f"unknown certification(s): {', '.join(map(str, bad['certification'].unique()))}")
    with store.engine.begin() as conn:
        bump_version(conn, SCHEDULE_VERSION)
        conn.execute(delete(premium_schedule_table))
        conn.execute(
            insert(premium_schedule_table),
            [
                {
                    "certification": row.certification,
                    "valid_from": pd.Timestamp(row.valid_from).date(),
                    "usd_per_kg_fine": None if pd.isna(row.usd_per_kg_fine) else float(row.usd_per_kg_fine),
                    "pct_of_benchmark": None
                    if pd.isna(row.pct_of_benchmark)
                    else float(row.pct_of_benchmark),
                }
                for row in clean.itertuples()
            ],
        )


def ledger_header(content: bytes, filename: str) -> list[str]:
    """The file's column names (for the mapping step); LedgerFileError when the file is unusable."""
    table = _read(content, filename)
    if not table.header or not any(table.header):
        raise LedgerFileError("file_empty")
    return table.header


def proposed_mapping(store: MarketStore, header: list[str], cooperative: str | None = None) -> dict[str, str]:
    """Recognised column names, plus what this cooperative mapped by hand for files with these columns."""
    return {**auto_mapping(header), **remembered_mapping(store, header, cooperative)}


def preview_ledger(
    store: MarketStore,
    scope: LedgerScope,
    content: bytes,
    filename: str,
    *,
    cooperative: str | None = None,
    mapping: Mapping[str, str] | None = None,
    currency: str | None = None,
    progress: Progress | None = None,
) -> LedgerParse:
    """Parse, validate, convert and flag against the stored benchmark, and find the stored lots the sheet
    corrects (`changed`), without storing anything: what the user sees and confirms.

    `progress` is called with the share done (0–1) as the file is read and validated.
    """
    fx: dict[str, pd.Series] = {}

    def rates(code: str) -> pd.Series | None:
        series_id = fx_series_for(code)
        if series_id is None:
            return None
        if code not in fx:
            fx[code] = store.load_series(series_id)
        return fx[code]

    parsed = parse_ledger(
        content,
        filename,
        cooperative=cooperative,
        mapping=mapping,
        currency=currency,
        rates=rates,
        progress=progress,
    )
    reject_outside_scope(parsed, scope)
    reject_too_long(parsed)
    gold = store.load_series(GOLD_SERIES)
    for code in parsed.sales["currency"].unique():
        rates(str(code))
    flag_implausible_prices(parsed, gold, fx)
    find_changes(store, parsed)
    if progress:
        progress(1.0)
    return parsed


def import_ledger(
    store: MarketStore,
    scope: LedgerScope,
    content: bytes,
    filename: str,
    *,
    cooperative: str | None = None,
    mapping: Mapping[str, str] | None = None,
    currency: str | None = None,
    apply_changes: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Parse, validate, flag against the stored benchmark, and store in one transaction.

    `currency` is the default for rows that name none (a header such as "Valor recibido (COP)" wins).
    `apply_changes` writes the corrections of stored lots (listed under `changed`) with an audit entry.
    `progress` is called with the share done (0–1): reading and validating, then storing.
    """
    parsed = preview_ledger(
        store,
        scope,
        content,
        filename,
        cooperative=cooperative,
        mapping=mapping,
        currency=currency,
        progress=(lambda share: progress(0.6 * share)) if progress else None,
    )
    stored = (lambda share: progress(0.6 + 0.4 * share)) if progress else None
    return store_ledger_retrying(store, parsed, filename, scope, apply_changes=apply_changes, progress=stored)


STORE_ATTEMPTS = 6


def store_ledger_retrying(
    store: MarketStore,
    parsed: LedgerParse,
    filename: str,
    scope: LedgerScope,
    *,
    apply_changes: bool = False,
    progress: Progress | None = None,
) -> dict:
    """`store_ledger`, tried again when a concurrent import of overlapping rows won the race.

    Two imports read the stored sales, then both insert: the second meets the first's rows at the
    primary key (an IntegrityError) or SQLite's write lock. Its transaction rolled back, so it simply
    runs again, now seeing the first import's rows as duplicates. Any database failure that remains is
    a one-line StoreError without row values.
    """
    for attempt in range(STORE_ATTEMPTS):
        try:
            return store_ledger(
                store, parsed, filename, scope, apply_changes=apply_changes, progress=progress
            )
        except (IntegrityError, OperationalError) as error:
            if attempt == STORE_ATTEMPTS - 1 or not _retryable(error):
                raise store_error(error) from None
            time.sleep(random.uniform(0.02, 0.1) * 2**attempt)  # noqa: S311 - jitter, not secrets
        except SQLAlchemyError as error:
            raise store_error(error) from None
    raise StoreError("the import could not be stored")  # not reached


def _retryable(error: SQLAlchemyError) -> bool:
    if isinstance(error, IntegrityError):
        return True
    text = str(getattr(error, "orig", "")).lower()
    return "locked" in text or "deadlock" in text or "could not serialize" in text or "busy" in text


#: Text columns and the longest value each holds (PostgreSQL refuses longer ones; SQLite would not).
_TEXT_LIMITS = {
    column.name: int(column.type.length)
    for column in sales_table.columns
    if isinstance(column.type, String) and column.type.length
}


def _too_long_problem(values: Mapping[str, object]) -> Problem | None:
    for name, limit in _TEXT_LIMITS.items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            return Problem("too_long", {"field": name, "limit": limit})
    return None


def _too_long(values: Mapping[str, object]) -> str | None:
    problem = _too_long_problem(values)
    return None if problem is None else problem.english()


def reject_too_long(parsed: LedgerParse) -> None:
    """Rows with a text longer than its column go to the rejected rows with their line."""
    if parsed.sales.empty:
        return
    sales = parsed.sales
    first_problem = pd.Series("", index=sales.index, dtype="str")  # the first column too long, in order
    for name, limit in reversed(list(_TEXT_LIMITS.items())):
        if name in sales.columns:
            too_long = (sales[name].astype("str").str.len() > limit).to_numpy(bool)
            first_problem[too_long] = name
    bad = (first_problem != "").to_numpy(bool)
    for line, sale_id, name in zip(
        sales["line"][bad].tolist(), sales["sale_id"][bad].tolist(), first_problem[bad].tolist(), strict=True
    ):
        problem = Problem("too_long", {"field": name, "limit": _TEXT_LIMITS[name]})
        parsed.rejected.append(
            {
                "line": int(line),
                "sale_id": str(sale_id)[:100],
                "reason": problem.english(),
                "code": problem.code,
                "problems": [problem.as_dict()],
            }
        )
    parsed.sales = sales[~bad]
