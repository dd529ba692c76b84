"""Weight units and fineness for gold, and conversions between them.

Pure: no I/O. Every constant here comes from DOMAIN.md ("Units").
"""

from __future__ import annotations

GRAMS_PER_TROY_OUNCE = 31.1034768

#: Grams in one unit of each weight unit a user can pick.
GRAMS_PER_UNIT: dict[str, float] = {
    "g": 1.0,
    "oz": GRAMS_PER_TROY_OUNCE,  # troy ounce
    "kg": 1000.0,
    "castellano": 4.6,  # Colombian traditional unit [Banco de la República]
    "tomin": 0.575,
}

UNITS = tuple(GRAMS_PER_UNIT)


def grams_per_unit(unit: str) -> float:
    """Grams in one `unit`; raises ValueError naming the known units otherwise."""
    try:
        return GRAMS_PER_UNIT[unit]
    except KeyError:
        raise ValueError(f"unknown unit {unit!r}; known units: {', '.join(UNITS)}") from None


def price_per_gram_from_usd_per_oz(price_usd_per_oz: float) -> float:
    """USD per fine gram from USD per fine troy ounce."""
    return price_usd_per_oz / GRAMS_PER_TROY_OUNCE


def price_per_unit(price_per_gram: float, unit: str) -> float:
    """Price of one `unit` of fine gold from the price of one fine gram."""
    return price_per_gram * grams_per_unit(unit)


def normalise_fineness(fineness: float) -> float:
    """Fineness as a fraction: accepts 0.875 or 875 (per mille); raises outside (0, 1].

    Values between 1 and 100 are neither a fraction nor a plausible per-mille fineness (1.2 is a typo,
    not 0.12 %), so they are refused rather than read as per mille.
    """
    if 1.0 < fineness < 100.0:
        raise ValueError(f"fineness {fineness} is neither a fraction (0, 1] nor per mille (100–1000)")
    value = fineness / 1000.0 if fineness > 1.0 else fineness
    if not 0.0 < value <= 1.0:
        raise ValueError(f"fineness {fineness} is outside (0, 1] (or (0, 1000] per mille)")
    return value


def fine_gold_grams(gross_weight: float, fineness: float, unit: str = "g") -> float:
    """Fine gold weight in grams = gross weight (in `unit`) x fineness."""
    return gross_weight * grams_per_unit(unit) * normalise_fineness(fineness)
