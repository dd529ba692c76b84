"""Fetch one JSON answer from an official source over HTTP: timeout, bounded retry, typed errors.

I/O only (requests, which yfinance already brings): what the answer means is each source's module's job
(data/market/lbma.py, data/market/trm.py, data/market/bcrp.py). Every failure is a `SourceError` whose `code` the pages and
the CLI word in the user's language; its message (English, with the address) is for the log only.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pandas as pd
import requests

log = logging.getLogger(__name__)

#: Seconds to wait for a connection and for each read; attempts in all; the pause doubles from this.
DEFAULT_TIMEOUT_S = 15.0
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF_S = 1.0
#: An answer larger than this is not a price feed (the whole LBMA gold history is about 1.5 MB).
MAX_ANSWER_BYTES = 30_000_000

#: Failure codes (ui/i18n words each one: `source_failed_<code>`).
NO_CONNECTION = "no_connection"
TIMEOUT = "timeout"
REFUSED = "refused"
EMPTY = "empty"
CHANGED_FORMAT = "changed_format"
FAILURE_CODES = (NO_CONNECTION, TIMEOUT, REFUSED, EMPTY, CHANGED_FORMAT)


class SourceError(RuntimeError):
    """A source gave nothing usable. `code` says what kind, `params` its details; str() is for the log."""

    code = CHANGED_FORMAT

    def __init__(self, message: str, **params: object):
        super().__init__(message)
        self.params = params


class SourceConnectionError(SourceError):
    """The host could not be reached (no connection, DNS, refused connection)."""

    code = NO_CONNECTION


class SourceTimeoutError(SourceError):
    """The host did not answer within the timeout, on every attempt."""

    code = TIMEOUT


class SourceRefusedError(SourceError):
    """The host answered with an HTTP error (`params["status"]`): moved, forbidden, down."""

    code = REFUSED


class SourceEmptyError(SourceError):
    """The host answered with nothing: an empty body, or a feed without a single row."""

    code = EMPTY


class SourceFormatError(SourceError):
    """The answer is not in the format the source documents (not JSON, fields missing or renamed)."""

    code = CHANGED_FORMAT


def _read_body(response: requests.Response, url: str) -> bytes:
    chunks = []
    size = 0
    for chunk in response.iter_content(chunk_size=65_536):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise SourceFormatError(f"{url}: answer larger than {MAX_ANSWER_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def get_json(
    url: str,
    params: dict[str, str] | None = None,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff_s: float = DEFAULT_BACKOFF_S,
    session: requests.Session | None = None,
) -> Any:
    """The decoded JSON answer of a GET of `url` with `params`.

    No connection, a timeout and a server error (5xx, 429) are tried again, at most `attempts` times in
    all with a doubling pause; any other HTTP error is refused at once (retrying will not help), and so
    is an answer that is empty or not JSON.
    """
    http = session or requests
    last: SourceError | None = None
    for attempt in range(max(1, attempts)):
        if attempt:
            time.sleep(backoff_s * 2 ** (attempt - 1))
        try:
            with http.get(
                url,
                params=params,
                timeout=(timeout_s, timeout_s),
                stream=True,
                headers={"Accept": "application/json"},
            ) as response:
                if response.status_code >= 400:
                    error = SourceRefusedError(
                        f"{response.url}: HTTP {response.status_code} {response.reason}",
                        status=response.status_code,
                    )
                    if response.status_code >= 500 or response.status_code == 429:
                        last = error
                        continue
                    raise error
                body = _read_body(response, response.url)
        except requests.Timeout as error:
            last = SourceTimeoutError(f"{url}: no answer within {timeout_s} s ({error.__class__.__name__})")
            continue
        except requests.ConnectionError as error:
            last = SourceConnectionError(f"{url}: {error.__class__.__name__}: {error}"[:500])
            continue
        except requests.RequestException as error:  # an address that is not a URL, too many redirects
            raise SourceRefusedError(f"{url}: {error.__class__.__name__}: {error}"[:500], status=0) from None
        if not body.strip():
            raise SourceEmptyError(f"{url}: empty answer")
        try:
            return json.loads(body)
        except ValueError:  # JSONDecodeError and UnicodeDecodeError
            raise SourceFormatError(f"{url}: the answer is not JSON ({body[:80]!r})") from None
    assert last is not None
    log.info("%s (after %d attempts)", last, attempts)
    raise last


def within_window(rows: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp | None = None) -> pd.DataFrame:
    """The rows whose `date` lies in [start, end] (no end: up to the last): every official fetcher cuts its
    answer so, because a server that ignores the query's dates (a static file) answers with all it has."""
    keep = rows["date"] >= pd.Timestamp(start)
    if end is not None:
        keep &= rows["date"] <= pd.Timestamp(end)
    return rows.loc[keep]
