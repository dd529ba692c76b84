"""The column mapping a cooperative made by hand, remembered per cooperative and header."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select

from data.accounts.access import LedgerScope
from data.ledger.understand import (
    FIELDS,
    auto_mapping,
    header_signature,
)
from data.store import (
    MarketStore,
    column_mappings_table,
)


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


def proposed_mapping(store: MarketStore, header: list[str], cooperative: str | None = None) -> dict[str, str]:
    """Recognised column names, plus what this cooperative mapped by hand for files with these columns."""
    return {**auto_mapping(header), **remembered_mapping(store, header, cooperative)}
