"""The store this process uses: one MarketStore (one connection pool) per database URL, shared by sessions."""

from __future__ import annotations

import streamlit as st

from data.store import MarketStore, database_url


@st.cache_resource(show_spinner=False)
def store_for(url: str) -> MarketStore:
    return MarketStore.from_url(url)


def get_store() -> MarketStore:
    return store_for(database_url())
