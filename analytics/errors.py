"""Errors that carry a code and their numbers, so a page can say them in the user's language.

str() stays the English one-liner the CLI prints (and logs show); i18n.error_text words the code
and its params (dates, numbers, names) for the pages.
"""

from __future__ import annotations


class CodedError(ValueError):
    """A ValueError with `code` (i18n key `error_<code>`) and `params` for the sentence."""

    def __init__(self, message: str, code: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params
