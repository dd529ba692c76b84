"""Stage *understand*: which column is which field, and the units and currencies the headers name.

Pure functions of the header; what they decide is shown in the preview before anything counts."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analytics.premiums import (
    CHARGE_COLUMNS,
)
from data.files.parsing import normalised_name
from data.ledger.schema import (
    WEIGHT_UNITS,
)
from data.market.series import CURRENCIES

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
#: A total's label that is nothing else: "TOTAL AÑO", "Total mayo 2024", "Subtotal 1er semestre" — a total
#: even beside a date (a buyer "Total Minerals S.A.S." is not, unless its numbers are the sums above).
_PERIOD_WORDS = (
    r"ano|anual|mes|mensual|semestre|semestral|trimestre|trimestral|periodo|general|ventas|year|month|"
    r"quarter|semester|sales|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
    r"octubre|noviembre|diciembre|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|ene|feb|mar|abr|jun|jul|ago|sep|oct|nov|dic|\d+|\d+(er|do|ro|to|o|st|nd|rd|th)|del?|i|ii"
)
STRICT_TOTAL_ROW = re.compile(
    rf"^(sub_?totale?s?|totale?s?|gran_total|total_general|suma|sumas)(_({_PERIOD_WORDS}))*$"
)


#: Columns whose header may name the sheet's currency, in order of trust.
MONEY_FIELDS = ("amount_received", "royalties_paid", "withholding_paid", *CHARGE_COLUMNS)


#: The most a certification pays a fine gram, in USD (Fairmined and Fairtrade pay a few): a premium
#: column whose values are beyond it is in pesos (or a typo), never stored as USD.
MAX_PREMIUM_USD_PER_FINE_G = 50.0
#: A premium column read in each sale's own currency (then converted to USD at the day's rate).
SALE_CURRENCY = "sale"
#: "$ 13.588.548,75": the peso sign of Colombia (and of Mexico, Chile…), not "US$".
_PESO_SIGN = re.compile(r"(?<![A-Za-z])\$")


def premium_currency(header: str, texts: Iterable[str], premium: pd.Series, fine_g: pd.Series) -> dict | None:
    """Why a premium column whose header names no currency is in the sale's currency, or None (USD).

    {"because": "peso_sign"}: its cells carry a bare "$"; {"because": "peso_sized"}: its median per
    fine gram is beyond what a certification pays. Decided for the whole column, as the dates are.
    """
    if column_currency(header) is not None:
        return None
    if any(_PESO_SIGN.search(str(text)) for text in texts):
        return {"because": "peso_sign"}
    paid = premium.to_numpy(dtype=float, na_value=np.nan) > 0
    if paid.any():
        per_gram = premium.to_numpy(dtype=float)[paid] / fine_g.to_numpy(dtype=float)[paid]
        if float(np.median(per_gram)) > MAX_PREMIUM_USD_PER_FINE_G:
            return {"because": "peso_sized"}
    return None


DATE_ORDERS = ("day_first", "month_first")
#: dd/mm/yyyy or mm/dd/yyyy (also with "-" or "."): the two numbers before the year decide the order.
_ISO_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
_SLASHED_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}(?:[ T].*)?$")


def date_order(texts: Iterable[str], chosen: str | None = None) -> dict[str, str]:
    """The order of a whole date column, never row by row: {"order", "decided_by"}.

    A day above 12 in the first place of any cell makes it day-first, in the second month-first
    ("day_above_12"); a column mostly of ISO dates or a workbook's own date cells needs nothing ("iso"). A column with
    both, or with neither (every day ≤ 12), cannot be decided: the user's `chosen` order is taken
    ("chosen"), else day-first, the cooperatives' own, stays only as a question ("undecided").
    """
    first_big = second_big = False
    slashed = iso = 0
    for text in set(texts):
        found = _SLASHED_DATE.match(str(text))
        if found is None:
            iso += bool(_ISO_DATE.match(str(text)))
            continue
        slashed += 1
        first_big |= int(found.group(1)) > 12
        second_big |= int(found.group(2)) > 12
    if chosen in DATE_ORDERS:
        return {"order": str(chosen), "decided_by": "chosen"}
    if slashed <= iso:  # a workbook's own dates (or ISO text): a stray dd-mm text is read day-first
        return {"order": "day_first", "decided_by": "iso"}
    if first_big != second_big:
        return {"order": "day_first" if first_big else "month_first", "decided_by": "day_above_12"}
    return {"order": "day_first", "decided_by": "undecided"}


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
        elif name == "premium_received_usd" and named_currency.get(name) == SALE_CURRENCY:
            entry["currency"] = currency  # read in the sale's currency, converted to USD
        elif name == "premium_received_usd":
            entry["currency"] = named_currency.get(name) or "USD"
        elif name in named_currency or name == "amount_received":
            entry["currency"] = column_currency(columns[name]) or currency
        rows.append(entry)
    return rows
