"""Reference buyers: who publishes a buy price as a share of the benchmark, per currency (configuration).

Only Colombia's is documented (Banco de la República buys at 95 %, DOMAIN.md); elsewhere none is shown
unless GOLD_DASHBOARD_REFERENCE_BUYERS names one. No streamlit, no words: this is the one place the
setting is read.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from data.market.series import CURRENCIES

log = logging.getLogger(__name__)

REFERENCE_BUYERS_ENV = "GOLD_DASHBOARD_REFERENCE_BUYERS"


@dataclass(frozen=True)
class ReferenceBuyer:
    name: str
    share: float  # of the benchmark price, e.g. 0.95
    configured: bool = False  # named by the setting, not the built-in default


DEFAULT_REFERENCE_BUYERS: dict[str, ReferenceBuyer] = {"COP": ReferenceBuyer("Banco de la República", 0.95)}


def parse_reference_buyers(text: str) -> dict[str, ReferenceBuyer | None]:
    """'PEN=Activos Mineros:0.96;BOB=Name:96%' → {currency: buyer}; 'COP=' → {COP: None} (none shown).

    Raises ValueError naming the first entry that is not CURRENCY=NAME:SHARE with a known currency and a
    share above 0 and at most 1 (or at most 100 %).
    """
    out: dict[str, ReferenceBuyer | None] = {}
    for entry in (part.strip() for part in text.split(";")):
        if not entry:
            continue
        currency, equals, rest = entry.partition("=")
        currency = currency.strip().upper()
        if not equals or currency not in CURRENCIES:
            raise ValueError(f"{entry!r}: expected CURRENCY=NAME:SHARE with one of {', '.join(CURRENCIES)}")
        if not rest.strip():
            out[currency] = None
            continue
        name, colon, share_text = rest.rpartition(":")
        share_text = share_text.strip().replace(",", ".")
        try:
            share = float(share_text.rstrip("%").strip()) / (100 if share_text.endswith("%") else 1)
        except ValueError:
            share = float("nan")
        if not colon or not name.strip() or not 0 < share <= 1:
            raise ValueError(f"{entry!r}: expected NAME:SHARE with a share such as 0.96 or 96%")
        out[currency] = ReferenceBuyer(name.strip(), share, configured=True)
    return out


def reference_buyers() -> dict[str, ReferenceBuyer]:
    """Colombia's default, overridden or extended by GOLD_DASHBOARD_REFERENCE_BUYERS.

    A setting that cannot be read is logged and ignored as a whole (the default stays): a typo must not
    take a page down, nor half-apply.
    """
    buyers = dict(DEFAULT_REFERENCE_BUYERS)
    try:
        configured = parse_reference_buyers(os.environ.get(REFERENCE_BUYERS_ENV, ""))
    except ValueError as error:
        log.warning("%s ignored: %s", REFERENCE_BUYERS_ENV, error)
        return buyers
    for currency, buyer in configured.items():
        if buyer is None:
            buyers.pop(currency, None)
        else:
            buyers[currency] = buyer
    return buyers


def reference_buyer(currency: str) -> ReferenceBuyer | None:
    """The reference buyer for `currency`, or None: then no reference buy price is shown."""
    return reference_buyers().get(currency)
