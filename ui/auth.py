"""Who is using this session: a password sign-in, an OpenID Connect sign-in (st.login), or nobody.

The ledger functions take the LedgerScope returned by `current_scope()`; the pages never decide
access themselves. Without any user in the store (a single machine), the person at the screen owns
the store, as before sign-in existed.
"""

from __future__ import annotations

import time

import streamlit as st

from data.ledger import LedgerScope
from data.store import MarketStore
from data.users import User, authenticate, find_user, sign_in_required

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


def _oidc_user(store: MarketStore) -> User | None:
    """The user whose name is the e-mail the identity provider signed in, if we know them."""
    if not oidc_configured() or not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "")
    return find_user(store, email) if email else None


RUN_KEY = "_session_access_this_run"  # (user, scope), resolved once per run by the router


def _signed_in_user(store: MarketStore) -> User | None:
    """The signed-in user as the store knows them now: a removed user or a changed role takes effect on
    the session's next run, not at its next sign-in."""
    user = st.session_state.get(SESSION_KEY)
    if isinstance(user, User):
        now = find_user(store, user.username)
        if now is None:
            st.session_state.pop(SESSION_KEY, None)
        return now
    return _oidc_user(store)


def resolve_session(store: MarketStore) -> User | None:
    """Called by the router at the top of every run: who this session is, read from the store once.

    The pages' loaders then ask `current_scope`, which reads this answer instead of querying again.
    """
    user = _signed_in_user(store)
    scope = user.scope if user is not None else NOBODY if sign_in_required(store) else SINGLE_MACHINE
    st.session_state[RUN_KEY] = (user, scope)
    return user


def current_scope(store: MarketStore) -> LedgerScope:
    """What this session may read and change in the ledger (as resolved at the top of this run)."""
    if RUN_KEY not in st.session_state:  # a page run without the router (never in the app)
        resolve_session(store)
    return st.session_state[RUN_KEY][1]


def sign_in(store: MarketStore, username: str, password: str) -> bool:
    user = authenticate(store, username, password)
    if user is None:
        time.sleep(FAILED_SIGN_IN_DELAY_S)
        return False
    st.session_state[SESSION_KEY] = user
    return True


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(RUN_KEY, None)
    if oidc_configured() and st.user.is_logged_in:
        st.logout()
