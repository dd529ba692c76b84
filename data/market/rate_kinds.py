"""Exchange-rate kinds: a currency may have several rates (Bolivia's official 6.96, the BCB's reference
rate, a street rate), each stored as its own series; the setting that picks the one gold is priced at.

Pure apart from reading one setting (GOLD_DASHBOARD_RATE_KIND); no wording (ui/i18n names the kinds).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from data.market.series import fx_series_for

if TYPE_CHECKING:
    from data.store import MarketStore

OFFICIAL = "official"  # the legal rate: the TRM, the BCRP's, the BCB's 6.96, Mongolbank's
REFERENCE = "reference"  # a central bank's published market reference (the BCB's valor referencial)
MARKET = "market"  # a street or platform rate the operator keeps by file
#: Every kind, in the order a choice offers them.
RATE_KINDS = (OFFICIAL, REFERENCE, MARKET)
RATE_KIND_ENV = "GOLD_DASHBOARD_RATE_KIND"


def require_rate_kind(kind: str) -> str:
    """`kind` when it is one of RATE_KINDS, else a ValueError naming them."""
    if kind not in RATE_KINDS:
        raise ValueError(f"unknown rate kind {kind!r}; known: {', '.join(RATE_KINDS)}")
    return kind


def configured_rate_kinds() -> dict[str, str]:
    """GOLD_DASHBOARD_RATE_KIND='BOB=reference;MNT=official' as {currency: kind}; unknown kinds are left out
    (the currency then keeps `official`)."""
    text = os.environ.get(RATE_KIND_ENV, "").strip()
    kinds: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in text.split(";"))):
        currency, _, kind = part.partition("=")
        if kind.strip().lower() in RATE_KINDS:
            kinds[currency.strip().upper()] = kind.strip().lower()
    return kinds


def default_rate_kind(currency: str) -> str:
    """The kind that prices gold in `currency` unless a user picks another: the setting's, else official."""
    return configured_rate_kinds().get(currency.upper(), OFFICIAL)


@dataclass(frozen=True)
class RateKindChoice:
    """Which rate kind a price used: `requested` (the user's or the setting's), `used` (the one stored;
    `official` when the requested kind is not), and whether it fell back."""

    requested: str
    used: str

    @property
    def fell_back(self) -> bool:
        return self.requested != self.used

    def as_json(self) -> dict[str, object]:
        return {
            "rate_kind": self.used,
            "rate_kind_requested": self.requested,
            "rate_kind_fallback": self.fell_back,
        }


def choose_rate_kind(currency: str, stored: Collection[str], requested: str | None = None) -> RateKindChoice:
    """The kind to price `currency` at: `requested` (else the setting's default) when `stored` has it,
    else `official` (a missing kind falls back, and the answer says so)."""
    wanted = require_rate_kind(requested) if requested else default_rate_kind(currency)
    return RateKindChoice(wanted, wanted if wanted in stored or wanted == OFFICIAL else OFFICIAL)


def stored_rate_kind(store: MarketStore, currency: str, requested: str | None = None) -> RateKindChoice:
    """The rate kind a stored price of `currency` uses: `requested` (else the setting's) when the store has
    it, else official (USD has no rate: official)."""
    fx_id = fx_series_for(currency)
    return choose_rate_kind(currency, [] if fx_id is None else store.stored_rate_kinds(fx_id), requested)
