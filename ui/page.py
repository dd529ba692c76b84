"""One set-up for every page (as `page_setup()` in OpenMS's streamlit-template): the reader's settings,
the page's title and its first line, so each page in app_pages/ opens with one call instead of the same
five lines. The router (dashboard.py) has already run the sign-in gate and drawn the sidebar."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from i18n import t
from ui.settings import current_settings


class PageContext(NamedTuple):
    """What a page reads from the reader's settings: the language of its words, the currency and unit
    of its prices; a tuple, so a page unpacks it in one line (`lang, currency, unit = page_setup(...)`)."""

    lang: str
    currency: str
    unit: str


def page_setup(title_key: str, intro_key: str | None = None) -> PageContext:
    """The page's title (and its intro as a caption when given) in the reader's language; returns the
    settings the page draws with. Pass keys marked with N_() so pybabel sees them."""
    settings = current_settings()
    st.title(t(title_key, settings.language))
    if intro_key is not None:
        st.caption(t(intro_key, settings.language))
    return PageContext(settings.language, settings.currency, settings.unit)
