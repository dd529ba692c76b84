"""The Sales page's import step: the file's columns, the proposed mapping, preview and store, for one session.

Thin adapters over services/sales.py with this session's store and scope (no parsing here). They take the
cooperative (mappings are remembered per cooperative) and the default currency the user picked.
An upload is parsed once: its header and its preview are kept in the session, keyed by its content.
"""

from __future__ import annotations

import copy
import hashlib
import json

import streamlit as st

from i18n import N_, t
from services.sales import (
    LedgerParse,
    header_defaults,
    import_ledger,
    ledger_header,
    preview_ledger,
    proposed_mapping,
    remember_mapping,
)
from ui.settings import current_settings
from ui.state import run_context
from ui.store import get_store

#: Uploads from this size on show a progress bar while they are read, checked and stored (about 4,000 rows).
PROGRESS_FROM_BYTES = 400_000


class _Progress:
    """A progress bar for a long import (nothing for a small one); removed when the step is done."""

    def __init__(self, content: bytes, key: str):
        self.bar = None
        if len(content) >= PROGRESS_FROM_BYTES:
            self.text = t(key, current_settings().language)
            self.bar = st.progress(0.0, text=self.text)

    def __call__(self, share: float) -> None:
        if self.bar is not None:
            self.bar.progress(min(max(share, 0.0), 1.0), text=self.text)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.empty()


def sales_file_header(
    content: bytes, filename: str, cooperative: str | None
) -> tuple[list[str], dict[str, str], str | None]:
    """The file's columns, the mapping proposed for them, and the currency a header names (if any).

    Read once per upload: the header is kept in the session under the content's hash.
    """
    key = "ledger_header_" + hashlib.sha256(content).hexdigest()[:24] + filename
    if key not in st.session_state:
        for old in [k for k in st.session_state if str(k).startswith("ledger_header_")]:
            del st.session_state[old]
        st.session_state[key] = ledger_header(content, filename)
    header = list(st.session_state[key])
    proposed = proposed_mapping(get_store(), header, cooperative)
    return header, proposed, header_defaults(proposed)[1]


def preview_sales(
    content: bytes,
    filename: str,
    mapping: dict[str, str],
    cooperative: str | None,
    currency: str | None,
    date_order: str | None = None,
) -> LedgerParse:
    """The validated rows, kept in the session while the upload, its choices and the prices stay the same."""
    store = get_store()
    context = run_context()
    scope = context.scope
    key = json.dumps(
        [hashlib.sha256(content).hexdigest(), filename, mapping, cooperative, currency, scope.user,
         context.market_key, context.ledger_key, date_order],
        sort_keys=True,
    )  # fmt: skip
    cached = st.session_state.get("ledger_preview")
    if cached is not None and cached[0] == key:
        return copy.deepcopy(cached[1])
    progress = _Progress(content, N_("sales_progress_check"))
    try:
        parsed = preview_ledger(
            store,
            scope,
            content,
            filename,
            cooperative=cooperative,
            mapping=mapping,
            currency=currency,
            date_order=date_order,
            progress=progress,
        )
    finally:
        progress.done()
    st.session_state["ledger_preview"] = (key, copy.deepcopy(parsed))
    return parsed


def import_sales(
    content: bytes,
    filename: str,
    mapping: dict[str, str],
    cooperative: str | None,
    currency: str | None,
    apply_changes: bool = False,
    date_order: str | None = None,
) -> dict:
    """Store the good rows the user may write (one transaction), and with `apply_changes` the corrections
    of stored lots the preview listed (audited); caches follow the ledger version."""
    progress = _Progress(content, N_("sales_progress_store"))
    try:
        return import_ledger(
            get_store(),
            run_context().scope,
            content,
            filename,
            cooperative=cooperative,
            mapping=mapping,
            currency=currency,
            apply_changes=apply_changes,
            date_order=date_order,
            progress=progress,
        )
    finally:
        progress.done()


def remember_columns(header: list[str], mapping: dict[str, str], cooperative: str | None) -> None:
    """Keep the hand-made part of the mapping for this cooperative (and only if the user may import for it)."""
    remember_mapping(get_store(), header, mapping, cooperative, run_context().scope)
