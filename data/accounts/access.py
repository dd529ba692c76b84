"""Who may read and change which cooperative's sales: one LedgerScope per reader, shared by the
ledger, users and alerts."""

from __future__ import annotations

from dataclasses import dataclass


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
