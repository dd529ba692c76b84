"""The user's settings (language, currency, unit) in the sidebar, mirrored in the URL query.

A view can be shared as a link: ?lang=es&cur=COP&unit=castellano reopens it.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from analytics.units import UNITS
from data.market.rate_kinds import OFFICIAL, RATE_KINDS, default_rate_kind
from data.market.series import CURRENCIES
from i18n import LANGUAGE_NAMES, LANGUAGES, default_language, rate_kind_label, t, unit_label
from i18n.keys import COUNTRY
from services.premiums import ALL_COOPERATIVES

DEFAULT_CURRENCY = "COP"
DEFAULT_UNIT = "g"


@dataclass(frozen=True)
class Settings:
    language: str
    currency: str
    unit: str


def _from_query(name: str, allowed: tuple[str, ...] | list[str], default: str) -> str:
    value = st.query_params.get(name)
    return value if value is not None and value in allowed else default


def init_settings() -> None:
    """First run of a session: settings from the URL query, else the defaults."""
    if "cur" not in st.session_state:
        st.session_state.cur = _from_query("cur", list(CURRENCIES), DEFAULT_CURRENCY)
    if "lang" not in st.session_state:
        st.session_state.lang = _from_query("lang", LANGUAGES, default_language(st.session_state.cur))
    if "unit" not in st.session_state:
        st.session_state.unit = _from_query("unit", UNITS, DEFAULT_UNIT)


def current_settings() -> Settings:
    init_settings()
    return Settings(st.session_state.lang, st.session_state.cur, st.session_state.unit)


def sidebar_settings() -> Settings:
    """Draw the settings widgets and mirror them into the URL query."""
    init_settings()
    lang = st.session_state.lang
    with st.sidebar:
        st.selectbox(
            t("language", lang),
            LANGUAGES,
            key="lang",
            format_func=LANGUAGE_NAMES.__getitem__,
        )
        lang = st.session_state.lang
        st.selectbox(
            t("currency", lang), list(CURRENCIES), key="cur", format_func=lambda c: t(COUNTRY[c], lang)
        )
        st.selectbox(t("unit", lang), UNITS, key="unit", format_func=lambda u: unit_label(u, lang))
    settings = current_settings()
    st.query_params.update({"lang": settings.language, "cur": settings.currency, "unit": settings.unit})
    return settings


RATE_KIND_QUERY = "rk"


def _rate_kind_key(currency: str) -> str:
    return f"rate_kind_{currency}"


def chosen_rate_kinds() -> dict[str, str]:
    """The rate kind the reader chose per currency: the sidebar's, else the link's (?rk=BOB=reference)."""
    linked = dict(
        part.split("=", 1) for part in str(st.query_params.get(RATE_KIND_QUERY, "")).split(",") if "=" in part
    )
    chosen = {}
    for currency in CURRENCIES:
        kind = st.session_state.get(_rate_kind_key(currency), linked.get(currency))
        if kind in RATE_KINDS:
            chosen[currency] = str(kind)
    return chosen


def rate_kind_sidebar(currency: str, stored_kinds: list[str], lang: str) -> None:
    """Where `currency` has more than one exchange-rate kind stored, the choice of the one prices use
    ("Tasa de cambio: oficial / referencial del BCB / de mercado"), mirrored in the link."""
    if len(stored_kinds) < 2:
        return
    key = _rate_kind_key(currency)
    if st.session_state.get(key) not in stored_kinds:
        wanted = chosen_rate_kinds().get(currency, default_rate_kind(currency))
        st.session_state[key] = wanted if wanted in stored_kinds else OFFICIAL
    with st.sidebar:
        st.radio(
            t("rate_kind_choice", lang),
            stored_kinds,
            key=key,
            format_func=lambda kind: rate_kind_label(kind, currency, lang),
        )
    chosen = chosen_rate_kinds()
    st.query_params[RATE_KIND_QUERY] = ",".join(f"{cur}={kind}" for cur, kind in sorted(chosen.items()))


def cooperative_sidebar(cooperatives: list[str], lang: str) -> str:
    """The cooperative whose sales the Sales and Premiums pages show; "all" when there are several."""
    options = [ALL_COOPERATIVES, *cooperatives] if len(cooperatives) != 1 else cooperatives
    if st.session_state.get("coop") not in options:
        st.session_state.coop = cooperatives[0] if len(cooperatives) == 1 else ALL_COOPERATIVES
    with st.sidebar:
        st.selectbox(
            t("cooperative", lang),
            options,
            key="coop",
            format_func=lambda name: t("all_cooperatives", lang) if name == ALL_COOPERATIVES else name,
        )
    return str(st.session_state.coop)


def current_cooperative() -> str:
    return str(st.session_state.get("coop", ALL_COOPERATIVES))
