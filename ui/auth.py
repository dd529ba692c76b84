"""Who is using this session: a password sign-in, an OpenID Connect sign-in (st.login), or nobody.

The ledger functions take the LedgerScope returned by `current_scope()`; the pages never decide
access themselves. Without any user in the store (a single machine), the person at the screen owns
the store, as before sign-in existed.
"""

from __future__ import annotations

import os
import time

import streamlit as st

from data.ledger import LedgerScope
from data.store import MarketStore, database_url
from data.users import REQUIRE_SIGNIN_ENV, User, authenticate, find_user, sign_in_required
from ui.store import store_for

SESSION_KEY = "signed_in_user"
SINGLE_MACHINE = LedgerScope("dashboard")  # no users in the store: the operator at the screen
NOBODY = LedgerScope("anonymous", frozenset())  # signed out where sign-in is required: no sales at all
FAILED_SIGN_IN_DELAY_S = 1.0  # slows password guessing from one session


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (OpenID Connect through st.login)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than returning empty
        return False


@st.cache_data(show_spinner=False, max_entries=512)
def _user_named(url: str, users_version: int, username: str) -> User | None:
    """The user as the store knows them at `users_version` (every change to users bumps it)."""
    return find_user(store_for(url), username)


@st.cache_data(show_spinner=False, max_entries=16)
def _sign_in_required(url: str, users_version: int, require_env: str) -> bool:
    return sign_in_required(store_for(url))


def _oidc_user(users_version: int) -> User | None:
    """The user whose name is the e-mail the identity provider signed in, if we know them."""
    if not oidc_configured() or not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "")
    return _user_named(database_url(), users_version, email) if email else None


def _signed_in_user(users_version: int) -> User | None:
    """The signed-in user as the store knows them now: a removed user or a changed role takes effect on
    the session's next run, not at its next sign-in."""
    user = st.session_state.get(SESSION_KEY)
    if isinstance(user, User):
        now = _user_named(database_url(), users_version, user.username)
        if now is None:
            st.session_state.pop(SESSION_KEY, None)
        return now
    return _oidc_user(users_version)


def resolve_session(users_version: int) -> tuple[User | None, LedgerScope]:
    """Who this session is and what it may read, at the store's current users version (cached by it)."""
    user = _signed_in_user(users_version)
    if user is not None:
        return user, user.scope
    required = _sign_in_required(database_url(), users_version, os.environ.get(REQUIRE_SIGNIN_ENV, ""))
    return None, NOBODY if required else SINGLE_MACHINE


def sign_in(store: MarketStore, username: str, password: str) -> bool:
    user = authenticate(store, username, password)
    if user is None:
        time.sleep(FAILED_SIGN_IN_DELAY_S)
        return False
    st.session_state[SESSION_KEY] = user
    return True


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    if oidc_configured() and st.user.is_logged_in:
        st.logout()
