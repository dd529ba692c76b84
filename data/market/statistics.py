"""Which statistic a stored source is: one name can hide two (BCRP's banking-system and interbank sell
rates; the LBMA AM and PM fixes), so every source a refresh or an import writes names exactly one.

Pure catalogue: no I/O, no wording for pages (the names are the publishers' own, the same in any language).
"""

from __future__ import annotations

#: BCRP series codes: the banking system's (SBS) sell rate, the shared file's and the `bcrp` source's;
#: the interbank sell rate, stored apart under `bcrp:PD04638PD`.
BCRP_BANKING_SELL = "PD04640PD"
BCRP_INTERBANK_SELL = "PD04638PD"
BCRP_SOURCE = "bcrp"

_NAMED: dict[str, str] = {
    "lbma": "LBMA Gold Price PM",
    "lbma_am": "LBMA Gold Price AM",
    "stooq": "Stooq spot close",
    "trm": "TRM (Superintendencia Financiera)",
    BCRP_SOURCE: f"BCRP {BCRP_BANKING_SELL} (banking system sell rate)",
    f"{BCRP_SOURCE}:{BCRP_INTERBANK_SELL}": f"BCRP {BCRP_INTERBANK_SELL} (interbank sell rate)",
    "fred": "FRED series",
    "demo": "demo (seeded)",
}


def bcrp_source(series_code: str) -> str:
    """The source a BCRP series is stored under: `bcrp` for the banking-system sell rate (what the BCRP
    file import has always stored), `bcrp:<code>` for any other series, so no two are joined."""
    return BCRP_SOURCE if series_code == BCRP_BANKING_SELL else f"{BCRP_SOURCE}:{series_code}"


def bcrp_series_code(source: str) -> str | None:
    """The BCRP series code a source holds (None when it is not BCRP's)."""
    if source == BCRP_SOURCE:
        return BCRP_BANKING_SELL
    prefix, _, code = source.partition(":")
    return code if prefix == BCRP_SOURCE and code else None


def statistic_of(source: str) -> str:
    """The statistic a source's values are, by its publisher's name (the source itself when unknown)."""
    if source in _NAMED:
        return _NAMED[source]
    if source == "yahoo:GC=F":
        return "COMEX front-month future close (Yahoo GC=F)"
    if source.startswith("yahoo:"):
        return f"Yahoo Finance close ({source.partition(':')[2]})"
    code = bcrp_series_code(source)
    if code is not None:
        return f"BCRP {code}"
    return source
