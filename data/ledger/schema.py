"""The declared schema of one sales row: raw text cells in, a typed sale or coded problems out (pydantic v2).

No I/O and no sentences: each problem is a code with parameters (data/files/parsing.py's `Problem`).

Why pydantic and not pandera: a ledger is validated row by row and the user needs every problem of a
line at once, with its line number, in their language. pydantic v2 validates one record, runs every
field's validator even when another failed, and returns each failure with a machine-readable type
(our code) and its parameters (`PydanticCustomError`), which is what i18n needs. pandera validates
whole DataFrame columns of already-typed values; our cells are text that must be parsed first
(decimal commas, 875 per mille, dd/mm/yyyy), and its failure cases come back as a table of column
checks that we would have to map back to per-line reasons.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from analytics.premiums import CERTIFICATIONS
from analytics.units import GRAMS_PER_UNIT, normalise_fineness
from data.files.parsing import CellError, Problem, normalised_name, read_day, read_number
from data.market.series import CURRENCIES

FINE_GOLD_TOLERANCE = 0.01  # a given fine weight may differ from gross × fineness by 1 % (rounding)
#: Bounds beyond which a value is a typo, not a sale (a cooperative sells grams to a few kilograms a week).
MAX_GROSS_WEIGHT_G = 1_000_000.0  # one tonne
MAX_AMOUNT = 1e15  # a tonne of gold is about 4e14 pesos
MAX_PREMIUM_USD = 1e9

WEIGHT_UNITS = {
    "g": "g", "gr": "g", "gramo": "g", "gramos": "g", "grams": "g", "grs": "g",
    "castellano": "castellano", "castellanos": "castellano", "cast": "castellano",
    "oz": "oz", "ozt": "oz", "onza": "oz", "onzas": "oz", "onza_troy": "oz", "troy_oz": "oz", "troy_ounce": "oz",
    "kg": "kg", "kilo": "kg", "kilos": "kg", "kilogramos": "kg",
    "tomin": "tomin", "tomines": "tomin",
}  # fmt: skip
CERTIFICATION_NAMES = {
    "": "none", "none": "none", "ninguna": "none", "ninguno": "none", "no": "none", "sin_certificacion": "none",
    "sin_certificar": "none", "n_a": "none",
    "fairmined": "fairmined", "fairmined_ecological": "fairmined_ecological",
    "fairmined_ecologico": "fairmined_ecological", "fairmined_eco": "fairmined_ecological",
    "fairtrade": "fairtrade", "fair_trade": "fairtrade", "comercio_justo": "fairtrade",
}  # fmt: skip
CHARGE_FIELDS = ("refining_charge", "assay_charge", "transport_charge", "export_charge")
NON_NEGATIVE_FIELDS = ("premium_received_usd", *CHARGE_FIELDS, "royalties_paid", "withholding_paid")
#: Money columns whose header may name a currency other than the sale's (converted at the day's rate).
MONEY_COLUMNS = (*NON_NEGATIVE_FIELDS, "gross_amount")


def _fail(error: CellError, **more: object) -> PydanticCustomError:
    return PydanticCustomError(error.code, error.code, {**more, **error.params})


def _number(raw: str, info: ValidationInfo, field: str) -> float | None:
    try:
        return read_number(raw, info.context.get("decimal") if info.context else None)
    except CellError as error:
        raise _fail(error, field=field, value=raw) from None


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context or {}


class SaleRow(BaseModel):
    """One sales row as written in the file (text cells), validated and typed.

    Validation context: `decimal` ("," in a semicolon file, else None), `today`, `unit` (the weight
    unit a header such as "Peso (castellanos)" names, default g), `fine_unit` (the fine-gold column's
    own unit: "Oro fino (g)" is grams whatever the gross weight's unit; default the weight's unit),
    `currency` (from a header such as "Valor recibido (COP)", or the caller's default).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    cooperative: str = ""
    sale_id: str = ""
    date: pd.Timestamp
    buyer: str = ""
    weight_unit: str = "g"
    gross_weight: float
    fineness: float
    fine_gold_g: float | None = None
    currency: str
    amount_received: float
    certification: str = "none"
    premium_received_usd: float = 0.0
    refining_charge: float = 0.0
    assay_charge: float = 0.0
    transport_charge: float = 0.0
    export_charge: float = 0.0
    royalties_paid: float = 0.0
    withholding_paid: float = 0.0
    notes: str = ""
    #: The gross value when the sheet has one beside the net amount (cross-checked, not stored).
    gross_amount: float | None = None
    #: The fine-gold column's own unit ("Oro fino (g)"), None: the gross weight's unit.
    fine_gold_unit: str | None = None

    @field_validator("cooperative", "sale_id", "buyer", "notes", mode="before")
    @classmethod
    def _text(cls, raw: str) -> str:
        return str(raw).strip()

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, raw: str, info: ValidationInfo) -> pd.Timestamp:
        try:
            context = _context(info)
            month_first = context.get("date_order") == "month_first"
            day = read_day(raw, day_first=True, today=context.get("today"), month_first=month_first)
        except CellError as error:
            raise _fail(error) from None
        if day is None:
            raise PydanticCustomError("missing_value", "missing_value", {"field": "date"})
        return day

    @field_validator("weight_unit", mode="before")
    @classmethod
    def _unit(cls, raw: str, info: ValidationInfo) -> str:
        text = normalised_name(raw)
        unit = WEIGHT_UNITS.get(text) if text else _context(info).get("unit", "g")
        if unit is None:
            raise PydanticCustomError("unknown_unit", "unknown_unit", {"value": raw})
        return unit

    @field_validator("gross_weight", mode="before")
    @classmethod
    def _weight(cls, raw: str, info: ValidationInfo) -> float:
        value = _number(raw, info, "gross_weight")
        if value is None:
            raise PydanticCustomError("missing_value", "missing_value", {"field": "gross_weight"})
        if value <= 0:
            raise PydanticCustomError("not_positive", "not_positive", {"field": "gross_weight", "value": raw})
        return value

    @field_validator("fineness", mode="before")
    @classmethod
    def _fineness(cls, raw: str, info: ValidationInfo) -> float:
        value = _number(raw, info, "fineness")
        if value is None:
            raise PydanticCustomError("missing_value", "missing_value", {"field": "fineness"})
        try:  # 0.875 or 875 per mille; 1–100 is neither (1.2 is a typo, not 0.12 %)
            return normalise_fineness(value)
        except ValueError:
            raise PydanticCustomError(
                "fineness_out_of_range", "fineness_out_of_range", {"value": raw}
            ) from None

    @field_validator("fine_gold_g", mode="before")
    @classmethod
    def _fine(cls, raw: str, info: ValidationInfo) -> float | None:
        value = _number(raw, info, "fine_gold_g")
        if value is not None and value <= 0:
            raise PydanticCustomError("not_positive", "not_positive", {"field": "fine_gold_g", "value": raw})
        return value

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, raw: str, info: ValidationInfo) -> str:
        text = str(raw).strip().upper() or str(_context(info).get("currency") or "")
        if not text:
            raise PydanticCustomError("missing_currency", "missing_currency", {})
        if text not in CURRENCIES:
            raise PydanticCustomError(
                "unknown_currency", "unknown_currency", {"value": raw, "known": list(CURRENCIES)}
            )
        return text

    @field_validator("amount_received", mode="before")
    @classmethod
    def _amount(cls, raw: str, info: ValidationInfo) -> float:
        value = _number(raw, info, "amount_received")
        if value is None:
            raise PydanticCustomError("missing_value", "missing_value", {"field": "amount_received"})
        if value <= 0:
            raise PydanticCustomError(
                "not_positive", "not_positive", {"field": "amount_received", "value": raw}
            )
        if value > MAX_AMOUNT:
            raise PydanticCustomError(
                "number_too_large",
                "number_too_large",
                {"field": "amount_received", "value": raw, "limit": int(MAX_AMOUNT)},
            )
        return value

    @field_validator("certification", mode="before")
    @classmethod
    def _certification(cls, raw: str) -> str:
        name = CERTIFICATION_NAMES.get(normalised_name(raw))
        if name is None:
            raise PydanticCustomError(
                "unknown_certification",
                "unknown_certification",
                {"value": raw, "known": list(CERTIFICATIONS)},
            )
        return name

    @field_validator("fine_gold_unit", mode="before")
    @classmethod
    def _fine_unit(cls, raw: str | None) -> str | None:
        return WEIGHT_UNITS.get(normalised_name(raw)) if raw else None

    @field_validator("gross_amount", mode="before")
    @classmethod
    def _gross(cls, raw: str, info: ValidationInfo) -> float | None:
        value = _number(raw, info, "gross_amount")
        if value is None:
            return None
        return cls._bounded(value, raw, "gross_amount")

    @field_validator(*NON_NEGATIVE_FIELDS, mode="before")
    @classmethod
    def _non_negative(cls, raw: str, info: ValidationInfo) -> float:
        field = str(info.field_name)
        value = _number(raw, info, field)
        if value is None:
            return 0.0
        return cls._bounded(value, raw, field)

    @staticmethod
    def _bounded(value: float, raw: str, field: str) -> float:
        if value < 0:
            raise PydanticCustomError("negative", "negative", {"field": field, "value": raw})
        limit = MAX_PREMIUM_USD if field == "premium_received_usd" else MAX_AMOUNT
        if value > limit:
            raise PydanticCustomError(
                "number_too_large", "number_too_large", {"field": field, "value": raw, "limit": int(limit)}
            )
        return value

    @model_validator(mode="after")
    def _weights(self) -> SaleRow:
        grams = self.gross_weight * GRAMS_PER_UNIT[self.weight_unit]
        if grams > MAX_GROSS_WEIGHT_G or not math.isfinite(grams):
            raise PydanticCustomError(
                "number_too_large",
                "number_too_large",
                {"field": "gross_weight_g", "value": f"{grams:g}", "limit": int(MAX_GROSS_WEIGHT_G)},
            )
        if self.fine_gold_g is not None:
            given = self.fine_gold_g * GRAMS_PER_UNIT[self.fine_unit]
            computed = grams * self.fineness
            if abs(given - computed) > FINE_GOLD_TOLERANCE * computed:
                raise PydanticCustomError(
                    "fine_gold_mismatch", "fine_gold_mismatch", {"given": given, "computed": computed}
                )
        return self

    @property
    def fine_unit(self) -> str:
        return self.fine_gold_unit or self.weight_unit

    @property
    def gross_weight_g(self) -> float:
        return self.gross_weight * GRAMS_PER_UNIT[self.weight_unit]

    @property
    def fine_weight_g(self) -> float:
        """The given assay weight when there is one (within 1 %), else gross × fineness."""
        if self.fine_gold_g is not None:
            return self.fine_gold_g * GRAMS_PER_UNIT[self.fine_unit]
        return self.gross_weight_g * self.fineness


def validate_row(raw: dict[str, str], context: dict[str, Any]) -> SaleRow | list[Problem]:
    """The typed row, or every problem of the row (in the schema's field order)."""
    try:
        return SaleRow.model_validate(raw, context=context)
    except ValidationError as failure:
        problems = []
        for error in failure.errors(include_url=False, include_input=False):
            params = dict(error.get("ctx") or {})
            code = error["type"]
            if code not in _KNOWN_CODES:  # pydantic's own check (a field absent from `raw`): say which
                code, params = "missing_value", {"field": ".".join(map(str, error["loc"])) or "?"}
            problems.append(Problem(code, params))
        return problems


def _known_codes() -> set[str]:
    from data.files.parsing import ENGLISH

    return set(ENGLISH)


_KNOWN_CODES = _known_codes()
