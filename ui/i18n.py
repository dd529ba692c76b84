"""Moved: the words live in the `i18n` package (catalogues as .po files, `t()`/`tn()`, Babel formats), page
tables in `presentation.tables`, the Premiums/Buyers sentences in `presentation.sentences`. See i18n/README.md.

This module stays only so branches written before the move still import and merge: it re-exports those
names, and `TEXTS` takes (es, en) pairs added here the old way until `python -m i18n port-legacy` moves
them into the .po files (tests/test_catalogue.py fails while any is left). New code imports `i18n`.
"""

from __future__ import annotations

from i18n import *  # noqa: F403
from i18n import __all__ as _words
from i18n.catalogue import register_legacy
from presentation.sentences import buyers_sentence, premiums_sentence, relative_error_text
from presentation.tables import (
    column_label,
    display_frame,
    export_frame,
    file_label,
    format_cell,
    price_problem_rows,
    problem_rows,
    sheet_label,
)

TEXTS: dict[str, tuple[str, str]] = {}

register_legacy(TEXTS)

__all__ = [
    *_words,
    "TEXTS",
    "buyers_sentence",
    "column_label",
    "display_frame",
    "export_frame",
    "file_label",
    "format_cell",
    "premiums_sentence",
    "price_problem_rows",
    "problem_rows",
    "relative_error_text",
    "sheet_label",
]
