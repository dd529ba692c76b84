"""The cooperative sales ledger: read a sales file, validate every row, store the good ones, edit, audit.

I/O lives here; the premium arithmetic is in analytics/premiums.py. An import is one transaction:
good rows and the import log are written together, or nothing is. A row that is wrong is listed with
its line number and reason and never stored; a row that is suspicious is stored and listed as flagged.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import String, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from analytics.premiums import (
    CERTIFICATIONS,
    CHARGE_COLUMNS,
    DEFAULT_PREMIUM_SCHEDULE,
    IMPLAUSIBLE_HIGH,
    IMPLAUSIBLE_LOW,
    benchmark_per_fine_gram,
)
from analytics.units import GRAMS_PER_UNIT, normalise_fineness
from data.errors import StoreError, store_error
from data.importers import MAX_FILE_BYTES, PriceFileError, parse_number, read_table
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

MAX_LEDGER_BYTES = MAX_FILE_BYTES  # the same upload limit as a price file (Streamlit's, 20 MB)
MAX_LEDGER_ROWS = 100_000
FINE_GOLD_TOLERANCE = 0.01  # a given fine weight may differ from gross × fineness by 1 % (rounding)

#: Our columns, and the names people give them (normalised: lower case, no accents, "_" between words).
FIELDS: dict[str, tuple[str, ...]] = {
    "sale_id": ("sale_id", "id", "lote", "lot", "id_venta", "venta", "lot_id", "numero_lote"),
    "cooperative": ("cooperative", "cooperativa", "organizacion", "organization", "asociacion"),
    "date": ("date", "fecha", "fecha_venta", "sale_date", "fecha_de_venta"),
    "buyer": ("buyer", "comprador", "cliente", "client"),
    "gross_weight": (
        "gross_weight_g",
        "gross_weight",
        "peso_bruto",
        "peso_bruto_g",
        "peso",
        "weight",
        "weight_g",
    ),
    "weight_unit": ("weight_unit", "unidad", "unidad_peso", "unit", "unidad_de_peso"),
    "fineness": ("fineness", "ley", "pureza", "purity"),
    "fine_gold_g": ("fine_gold_g", "oro_fino_g", "peso_fino", "peso_fino_g", "fine_weight", "fine_gold"),
    "currency": ("currency", "moneda"),
    "amount_received": (
        "amount_received",
        "monto_recibido",
        "valor_recibido",
        "monto",
        "valor",
        "amount",
        "total",
        "valor_total",
    ),
    "certification": ("certification", "certificacion", "sello", "certificado"),
    "premium_received_usd": (
        "premium_received_usd",
        "prima_recibida_usd",
        "prima_usd",
        "premium_usd",
        "prima",
    ),
    "refining_charge": ("refining_charge", "refining", "refinacion", "costo_refinacion"),
    "assay_charge": ("assay_charge", "assay", "ensayo", "costo_ensayo"),
    "transport_charge": ("transport_charge", "transport", "transporte", "costo_transporte"),
    "export_charge": ("export_charge", "export", "exportacion", "costo_exportacion"),
    "royalties_paid": ("royalties_paid", "royalties", "regalias"),
    "withholding_paid": ("withholding_paid", "withholding", "retencion", "retencion_en_la_fuente"),
    "notes": ("notes", "notas", "observaciones", "comentarios"),
}
REQUIRED = ("sale_id", "date", "gross_weight", "fineness", "currency", "amount_received")
STORED_COLUMNS = (
    "cooperative",
    "sale_id",
    "date",
    "buyer",
    "gross_weight_g",
    "fineness",
    "fine_gold_g",
    "currency",
    "amount_received",
    "certification",
    "premium_received_usd",
    *CHARGE_COLUMNS,
    "royalties_paid",
    "withholding_paid",
    "notes",
)
WEIGHT_UNITS = {
    "g": "g",
    "gr": "g",
    "gramo": "g",
    "gramos": "g",
    "grams": "g",
    "castellano": "castellano",
    "castellanos": "castellano",
    "oz": "oz",
    "ozt": "oz",
    "onza": "oz",
    "onzas": "oz",
    "onza_troy": "oz",
    "troy_oz": "oz",
    "troy_ounce": "oz",
    "kg": "kg",
    "tomin": "tomin",
    "tomines": "tomin",
}
CERTIFICATION_NAMES = {
    "": "none",
    "none": "none",
    "ninguna": "none",
    "no": "none",
    "sin_certificacion": "none",
    "fairmined": "fairmined",
    "fairmined_ecological": "fairmined_ecological",
    "fairmined_ecologico": "fairmined_ecological",
    "fairmined_eco": "fairmined_ecological",
    "fairtrade": "fairtrade",
    "comercio_justo": "fairtrade",
}


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


def normalised_name(name: str) -> str:
    """'Fecha de venta ' → 'fecha_de_venta'; 'Certificación' → 'certificacion'."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def header_signature(header: list[str]) -> str:
    return hashlib.sha256("|".join(sorted(normalised_name(h) for h in header)).encode()).hexdigest()[:32]


def auto_mapping(header: list[str]) -> dict[str, str]:
    """Our field → the file's column, for every column whose name we recognise."""
    by_name = {normalised_name(column): column for column in header}
    mapping: dict[str, str] = {}
    for field_name, names in FIELDS.items():
        for name in names:
            if name in by_name and by_name[name] not in mapping.values():
                mapping[field_name] = by_name[name]
                break
    return mapping


@dataclass
class LedgerParse:
    """A validated file: the rows that can be stored, and every row that cannot or needs review."""

    rows_read: int
    sales: pd.DataFrame  # STORED_COLUMNS + "line" + "flags"
    rejected: list[dict] = field(default_factory=list)
    flagged: list[dict] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)


def _decode_guard(content: bytes) -> None:
    if not content.strip():
        raise LedgerFileError("the file is empty")
    if len(content) > MAX_LEDGER_BYTES:
        raise LedgerFileError(
            f"the file is {len(content) / 1e6:.0f} MB; the limit is {MAX_LEDGER_BYTES / 1e6:.0f} MB "
            "(split it by year)"
        )
    if (
        content[:2] not in (b"PK",)
        and b"\x00" in content[:4096]
        and content[:2] not in (b"\xff\xfe", b"\xfe\xff")
    ):
        raise LedgerFileError("this is not a text (CSV) or Excel file; save it as CSV UTF-8 or .xlsx")


def _text_content(content: bytes) -> bytes:
    """UTF-16 exports (Excel's "Unicode text") become UTF-8; anything else is passed on unchanged."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return content.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as error:
            raise LedgerFileError("the file says it is UTF-16 but is not readable as such") from error
    return content


def _parse_day(text: str) -> pd.Timestamp | None:
    """ISO dates, or day-first dd/mm/yyyy as written in Colombia and Peru."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y"):
        try:
            return pd.Timestamp(datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt))
        except ValueError:
            continue
    return None


def _uses_decimal_comma(content: bytes) -> bool:
    """Semicolon-separated text is the Spanish-locale Excel export: 1.234.567,89."""
    first_line = content[:4096].split(b"\n", 1)[0]
    return first_line.count(b";") > first_line.count(b",")


def _parse_amount(text: str, decimal_comma: bool) -> float | None:
    if not decimal_comma:
        return parse_number(text)
    cleaned = re.sub(r"[^0-9,\-+]", "", text.replace(".", ""))
    if not text.strip() or text.strip().lower() in ("-", "na", "n/a"):
        return None
    try:
        return float(cleaned.replace(",", "."))
    except ValueError:
        return float("nan")


def parse_ledger(
    content: bytes,
    filename: str,
    *,
    cooperative: str | None = None,
    mapping: Mapping[str, str] | None = None,
    today: pd.Timestamp | None = None,
) -> LedgerParse:
    """Read and validate a sales file; raises LedgerFileError when the file as a whole is unusable."""
    _decode_guard(content)
    try:
        table = read_table(_text_content(content), filename)
    except PriceFileError as error:
        raise LedgerFileError(str(error)) from error
    if not table.header or not table.rows:
        raise LedgerFileError("the file has a header but no rows" if table.header else "the file is empty")
    if len(table.rows) > MAX_LEDGER_ROWS:
        raise LedgerFileError(f"the file has {len(table.rows):,} rows; the limit is {MAX_LEDGER_ROWS:,}")
    columns = {**auto_mapping(table.header), **{k: v for k, v in (mapping or {}).items() if v}}
    unknown = sorted({v for v in columns.values() if v not in table.header})
    if unknown:
        raise LedgerFileError(f"the mapping names columns the file does not have: {', '.join(unknown)}")
    missing = [name for name in REQUIRED if name not in columns]
    if "cooperative" not in columns and not cooperative:
        missing.append("cooperative")
    if missing:
        raise LedgerFileError(
            "missing columns: "
            + ", ".join(missing)
            + f" (the file has: {', '.join(table.header)}); map them to the file's columns"
        )
    today = (today or pd.Timestamp.now()).normalize()
    index = {name: table.header.index(column) for name, column in columns.items()}
    decimal_comma = _uses_decimal_comma(content)

    def parse_number(text: str) -> float | None:
        return _parse_amount(text, decimal_comma)

    def cell(row: list[str], name: str) -> str:
        position = index.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    good: list[dict] = []
    rejected: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    for offset, row in enumerate(table.rows):
        line = table.first_data_line + offset
        reasons: list[str] = []
        record: dict[str, object] = {"line": line}
        record["cooperative"] = cell(row, "cooperative") or (cooperative or "")
        if cooperative and cell(row, "cooperative") and cell(row, "cooperative") != cooperative:
            reasons.append(f"cooperative {cell(row, 'cooperative')!r} is not {cooperative!r}")
        sale_id = cell(row, "sale_id")
        record["sale_id"] = sale_id
        if not sale_id:
            reasons.append("missing sale_id")
        raw_date = cell(row, "date")
        day = _parse_day(raw_date)
        if day is None:
            reasons.append(f"unreadable date {raw_date!r}" if raw_date else "missing date")
        elif day > today:
            reasons.append(f"date {day:%Y-%m-%d} is in the future")
        record["date"] = day
        unit_text = normalised_name(cell(row, "weight_unit")) or "g"
        unit = WEIGHT_UNITS.get(unit_text)
        if unit is None:
            reasons.append(f"unknown weight unit {cell(row, 'weight_unit')!r} (g, castellano, oz, kg, tomin)")
        weight = parse_number(cell(row, "gross_weight"))
        if weight is None or math.isnan(weight):
            reasons.append(f"unreadable weight {cell(row, 'gross_weight')!r}")
        elif weight <= 0:
            reasons.append(f"weight {cell(row, 'gross_weight')} is not positive")
        gross_g = (weight or 0.0) * GRAMS_PER_UNIT.get(unit or "g", 1.0)
        record["gross_weight_g"] = gross_g
        fineness_value = parse_number(cell(row, "fineness"))
        try:
            fineness = normalise_fineness(float("nan") if fineness_value is None else fineness_value)
        except ValueError:
            fineness = float("nan")
        if not (0 < fineness <= 1):
            reasons.append(f"fineness {cell(row, 'fineness')!r} is outside (0, 1] (or 1–1000 per mille)")
        record["fineness"] = fineness
        fine_g = gross_g * fineness
        given_fine = parse_number(cell(row, "fine_gold_g"))
        if given_fine is not None and not math.isnan(given_fine) and fine_g > 0:
            given_fine_g = given_fine * GRAMS_PER_UNIT.get(unit or "g", 1.0)
            if abs(given_fine_g - fine_g) > FINE_GOLD_TOLERANCE * fine_g:
                reasons.append(
                    f"fine gold {given_fine_g:.2f} g does not match gross × fineness = {fine_g:.2f} g"
                )
            fine_g = given_fine_g
        record["fine_gold_g"] = fine_g
        currency = cell(row, "currency").upper()
        if currency not in CURRENCIES:
            reasons.append(f"unknown currency {cell(row, 'currency')!r} ({', '.join(CURRENCIES)})")
        record["currency"] = currency
        amount = parse_number(cell(row, "amount_received"))
        if amount is None or math.isnan(amount) or amount <= 0:
            reasons.append(f"amount received {cell(row, 'amount_received')!r} is missing or not positive")
        record["amount_received"] = amount
        certification = CERTIFICATION_NAMES.get(normalised_name(cell(row, "certification")))
        if certification is None:
            reasons.append(
                f"unknown certification {cell(row, 'certification')!r} ({', '.join(CERTIFICATIONS)})"
            )
        record["certification"] = certification or "none"
        for name in ("premium_received_usd", *CHARGE_COLUMNS, "royalties_paid", "withholding_paid"):
            value = parse_number(cell(row, name))
            if value is not None and (math.isnan(value) or value < 0):
                reasons.append(f"{name} {cell(row, name)!r} is not a number ≥ 0")
            record[name] = 0.0 if value is None or math.isnan(value) else value
        record["buyer"] = cell(row, "buyer")
        record["notes"] = cell(row, "notes")
        key = (str(record["cooperative"]), sale_id)
        if sale_id and key in seen:
            reasons.append(f"duplicate sale_id {sale_id!r} (first on line {seen[key]})")
        elif sale_id:
            seen[key] = line
        if reasons:
            rejected.append({"line": line, "sale_id": sale_id, "reason": "; ".join(reasons)})
        else:
            good.append(record)
    sales = pd.DataFrame(good, columns=["line", *STORED_COLUMNS])
    sales["flags"] = ""
    return LedgerParse(len(table.rows), sales, rejected, [], columns)


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
    share = sales["amount_received"] / sales["fine_gold_g"] / bench
    for position, (row, ratio) in enumerate(zip(sales.itertuples(), share, strict=True)):
        if np.isnan(ratio):
            reason = "no benchmark price within 7 days of this date: the premium cannot be computed"
        elif ratio < IMPLAUSIBLE_LOW or ratio > IMPLAUSIBLE_HIGH:
            reason = (
                f"price is {ratio * 100:.0f} % of the benchmark (outside {IMPLAUSIBLE_LOW * 100:.0f}–"
                f"{IMPLAUSIBLE_HIGH * 100:.0f} %): check the amount, weight and fineness"
            )
        else:
            continue
        sales.iat[position, sales.columns.get_loc("flags")] = reason
        parsed.flagged.append({"line": int(row.line), "sale_id": row.sale_id, "reason": reason})


# ---------------------------------------------------------------- the store


def _row_values(record: Mapping[str, object]) -> dict[str, object]:
    values = {name: record[name] for name in STORED_COLUMNS}
    values["date"] = pd.Timestamp(values["date"]).date()
    for name in ("gross_weight_g", "fineness", "fine_gold_g", "amount_received", "premium_received_usd"):
        values[name] = float(values[name])  # type: ignore[arg-type]
    return values


def _same_sale(stored: Mapping[str, object], new: Mapping[str, object]) -> bool:
    for name in STORED_COLUMNS:
        a, b = stored[name], new[name]
        if isinstance(a, float) or isinstance(b, float):
            if not math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9):  # type: ignore[arg-type]
                return False
        elif str(a) != str(b):
            return False
    return True


def reject_outside_scope(parsed: LedgerParse, scope: LedgerScope) -> None:
    """Move rows of cooperatives the user may not write from the good rows to the rejected ones."""
    outside = ~parsed.sales["cooperative"].map(scope.allows).astype(bool)
    for row in parsed.sales[outside].itertuples():
        parsed.rejected.append(
            {
                "line": int(row.line),
                "sale_id": row.sale_id,
                "reason": f"cooperative {row.cooperative!r} is not one you may import for",
            }
        )
    parsed.sales = parsed.sales[~outside]


def store_ledger(store: MarketStore, parsed: LedgerParse, filename: str, scope: LedgerScope) -> dict:
    """Insert the new good rows and the import log in one transaction; report in the CLI's shape.

    A sale already stored with the same values counts as a duplicate (importing a file twice adds
    nothing); the same sale_id with different values is rejected (edit it instead). Rows of a
    cooperative outside the user's scope are rejected, line by line.
    """
    reject_outside_scope(parsed, scope)
    report_rejected = list(parsed.rejected)
    inserted = duplicates = 0
    with store.engine.begin() as conn:
        rows = [_row_values(record) for record in parsed.sales.to_dict("records")]
        flags = parsed.sales["flags"].tolist()
        lines = parsed.sales["line"].tolist()
        keys = {(row["cooperative"], row["sale_id"]) for row in rows}
        existing: dict[tuple[object, object], dict] = {}
        for cooperative in {key[0] for key in keys}:
            result = conn.execute(select(sales_table).where(sales_table.c.cooperative == cooperative))
            for stored in result.mappings():
                existing[(stored["cooperative"], stored["sale_id"])] = dict(stored)
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
        to_insert: list[dict[str, object]] = []
        for row, flag, line in zip(rows, flags, lines, strict=True):
            previous = existing.get((row["cooperative"], row["sale_id"]))
            if previous is None:
                to_insert.append({**row, "flags": flag, "import_id": import_id})
            elif _same_sale(previous, row):
                duplicates += 1
            else:
                report_rejected.append(
                    {
                        "line": line,
                        "sale_id": row["sale_id"],
                        "reason": f"sale_id {row['sale_id']!r} is already stored with different values; "
                        "edit it on the Sales page instead",
                    }
                )
        if to_insert:
            conn.execute(insert(sales_table), to_insert)
        bump_version(conn, LEDGER_VERSION)  # the import log changed even when no sale was new
        inserted = len(to_insert)
        report = {
            "rows_read": parsed.rows_read,
            "inserted": inserted,
            "duplicates": duplicates,
            "flagged": [{"line": f["line"], "reason": f["reason"]} for f in parsed.flagged],
            "rejected": sorted(
                [{"line": r["line"], "reason": r["reason"]} for r in report_rejected], key=lambda r: r["line"]
            ),
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
        rows = conn.execute(query.order_by(sales_table.c.date, sales_table.c.sale_id)).all()
    frame = pd.DataFrame(rows, columns=list(sales_table.columns.keys()))  # the table's column order
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
    if "date" in changes and pd.Timestamp(changes["date"]).normalize() > pd.Timestamp.now().normalize():
        raise ValueError("the date is in the future (an import refuses such rows too)")
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


def remembered_mapping(store: MarketStore, header: list[str]) -> dict[str, str]:
    with store.engine.connect() as conn:
        text = conn.execute(
            select(column_mappings_table.c.mapping).where(
                column_mappings_table.c.signature == header_signature(header)
            )
        ).scalar()
    return json.loads(text) if text else {}


def remember_mapping(store: MarketStore, header: list[str], mapping: Mapping[str, str]) -> None:
    signature = header_signature(header)
    with store.engine.begin() as conn:
        conn.execute(delete(column_mappings_table).where(column_mappings_table.c.signature == signature))
        conn.execute(
            insert(column_mappings_table).values(
                signature=signature, mapping=json.dumps(dict(mapping)), updated_at=datetime.now(UTC)
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
    _decode_guard(content)
    try:
        table = read_table(_text_content(content), filename)
    except PriceFileError as error:
        raise LedgerFileError(str(error)) from error
    if not table.header:
        raise LedgerFileError("the file is empty")
    return table.header


def proposed_mapping(store: MarketStore, header: list[str]) -> dict[str, str]:
    """Recognised column names, overridden by the mapping last saved for files with these columns."""
    return {**auto_mapping(header), **remembered_mapping(store, header)}


def preview_ledger(
    store: MarketStore,
    scope: LedgerScope,
    content: bytes,
    filename: str,
    *,
    cooperative: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> LedgerParse:
    """Parse, validate and flag against the stored benchmark, without storing anything."""
    parsed = parse_ledger(content, filename, cooperative=cooperative, mapping=mapping)
    reject_outside_scope(parsed, scope)
    reject_too_long(parsed)
    gold = store.load_series(GOLD_SERIES)
    fx = {}
    for currency in parsed.sales["currency"].unique():
        series_id = fx_series_for(str(currency))
        if series_id is not None:
            fx[str(currency)] = store.load_series(series_id)
    flag_implausible_prices(parsed, gold, fx)
    return parsed


def import_ledger(
    store: MarketStore,
    scope: LedgerScope,
    content: bytes,
    filename: str,
    *,
    cooperative: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> dict:
    """Parse, validate, flag against the stored benchmark, and store in one transaction."""
    parsed = preview_ledger(store, scope, content, filename, cooperative=cooperative, mapping=mapping)
    return store_ledger_retrying(store, parsed, filename, scope)


STORE_ATTEMPTS = 6


def store_ledger_retrying(store: MarketStore, parsed: LedgerParse, filename: str, scope: LedgerScope) -> dict:
    """`store_ledger`, tried again when a concurrent import of overlapping rows won the race.

    Two imports read the stored sales, then both insert: the second meets the first's rows at the
    primary key (an IntegrityError) or SQLite's write lock. Its transaction rolled back, so it simply
    runs again, now seeing the first import's rows as duplicates. Any database failure that remains is
    a one-line StoreError without row values.
    """
    for attempt in range(STORE_ATTEMPTS):
        try:
            return store_ledger(store, parsed, filename, scope)
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


def _too_long(values: Mapping[str, object]) -> str | None:
    for name, limit in _TEXT_LIMITS.items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            return f"{name} is longer than {limit} characters"
    return None


def reject_too_long(parsed: LedgerParse) -> None:
    """Rows with a text longer than its column go to the rejected rows with their line."""
    if parsed.sales.empty:
        return
    keep = []
    for record in parsed.sales.to_dict("records"):
        reason = _too_long(record)
        keep.append(reason is None)
        if reason is not None:
            parsed.rejected.append(
                {"line": int(record["line"]), "sale_id": str(record["sale_id"])[:100], "reason": reason}
            )
    parsed.sales = parsed.sales[keep]
