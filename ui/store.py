"""The store this process uses: one MarketStore (one connection pool) per database URL, shared by sessions."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from data.store import MarketStore, database_url
from i18n import t


@st.cache_resource(show_spinner=False)
def store_for(url: str) -> MarketStore:
    return MarketStore.from_url(url)


def get_store() -> MarketStore:
    return store_for(database_url())


def store_unavailable(lang: str) -> NoReturn:
    """The database cannot be reached (a restart, a cut network): say so instead of a traceback, look again
    every few seconds, and draw the page by itself once it answers; nothing the session held is lost."""
    st.error(t("store_unavailable", lang))

    @st.fragment(run_every=5)
    def look_again() -> None:
        if MarketStore.reachable(database_url()):
            st.rerun()

    look_again()
    st.stop()
