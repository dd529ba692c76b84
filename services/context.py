"""One run's context: who reads (user and scope), today's date, and the store's data versions.

The router resolves it once per script run (one statement for the versions); every cached view keys on
the parts it depends on, so a warm rerun asks the database for nothing else. The CLI builds one too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from data.accounts.access import LedgerScope
from data.accounts.users import User
from data.store import FETCH_VERSION, LEDGER_VERSION, SCHEDULE_VERSION, USERS_VERSION, market_version_key


@dataclass(frozen=True)
class RunContext:
    """Everything a cached view may depend on besides its own arguments."""

    url: str
    today: str  # YYYY-MM-DD
    versions: tuple[tuple[str, int], ...]
    user: User | None
    scope: LedgerScope
    #: The exchange-rate kind the reader chose per currency (the sidebar's; others: the setting's).
    rate_kinds: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(
        cls,
        url: str,
        versions: dict[str, int],
        user: User | None,
        scope: LedgerScope,
        today: str | None = None,
        rate_kinds: dict[str, str] | None = None,
    ) -> RunContext:
        day = today or pd.Timestamp.now().strftime("%Y-%m-%d")
        kinds = tuple(sorted((rate_kinds or {}).items()))
        return cls(url, day, tuple(sorted(versions.items())), user, scope, kinds)

    def version(self, key: str) -> int:
        return dict(self.versions).get(key, 0)

    @property
    def market_key(self) -> str:
        """Changes when any series is written, or the reader picks another rate kind (every market view
        is priced at the chosen kinds: rate_kinds_of_market_key reads them back)."""
        key = market_version_key(dict(self.versions))
        return key + "".join(f"|{currency}={kind}" for currency, kind in self.rate_kinds)

    @property
    def ledger_key(self) -> str:
        """The cooperatives this reader may see, the ledger's and the schedule's versions.

        A view cached under this key is never handed to a reader of another scope.
        """
        cooperatives = self.scope.cooperatives
        readable = None if cooperatives is None else sorted(cooperatives)
        return json.dumps([readable, self.version(LEDGER_VERSION), self.version(SCHEDULE_VERSION)])

    @property
    def users_version(self) -> int:
        return self.version(USERS_VERSION)

    @property
    def fetch_version(self) -> int:
        return self.version(FETCH_VERSION)


def rate_kinds_of_market_key(market_key: str) -> dict[str, str]:
    """The rate kinds a market key was made for ({currency: kind}; empty: the setting's defaults)."""
    return dict(part.split("=", 1) for part in market_key.split("|")[1:])


def scope_of_ledger_key(ledger_key: str, user: str = "reader") -> LedgerScope:
    """The reading scope a ledger key was made for (cached loaders query with it)."""
    readable = json.loads(ledger_key)[0]
    return LedgerScope(user, None if readable is None else frozenset(readable))
