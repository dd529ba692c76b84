"""Who is using this session: a password sign-in, an OpenID Connect sign-in (st.login), or nobody.

The ledger functions take the LedgerScope returned by `current_scope()`; the pages never decide
access themselves. Without any user in the store (a single machine), the person at the screen owns
the store, as before sign-in existed. A session ends when its user's password changes (the user's
session epoch moved on) or after GOLD_DASHBOARD_IDLE_MINUTES without a run.
"""

from __future__ import annotations

import os
import time

import streamlit as st

from data.ledger import LedgerScope
from data.store import MarketStore
from data.users import User, find_oidc_user, find_user, sign_in_attempt, sign_in_required

SESSION_KEY = "signed_in_user"
LAST_ACTIVITY_KEY = "_last_activity"  # wall-clock time of the session's last run (idle timeout)
ENDED_KEY = "_session_ended"  # why the last sign-in ended (shown once on the sign-in page)
FAILURE_KEY = "_sign_in_failure"  # the last failed sign-in's reason and wait (shown on the sign-in page)
SINGLE_MACHINE = LedgerScope("dashboard")  # no users in the store: the operator at the screen
NOBODY = LedgerScope("anonymous", frozenset())  # signed out where sign-in is required: no sales at all
FAILED_SIGN_IN_DELAY_S = 1.0  # slows password guessing from one session (the store's throttle does the rest)
DEFAULT_IDLE_MINUTES = 30.0


def idle_minutes() -> float:
    """GOLD_DASHBOARD_IDLE_MINUTES (default 30): a signed-in session without a run for longer ends."""
    try:
        value = float(os.environ.get("GOLD_DASHBOARD_IDLE_MINUTES", DEFAULT_IDLE_MINUTES))
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    return value if value > 0 else DEFAULT_IDLE_MINUTES


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (OpenID Connect through st.login)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than returning empty
        return False


def oidc_email_verified() -> bool:
    """The identity provider vouched for the e-mail (`email_verified` claim true); absent means no."""
    verified = st.user.get("email_verified")
    return verified is True or (isinstance(verified, str) and verified.strip().lower() == "true")


def _oidc_user(store: MarketStore) -> User | None:
    """The OpenID-Connect-only user whose name is the e-mail the provider signed in and verified."""
    if not oidc_configured() or not st.user.is_logged_in or not oidc_email_verified():
        return None
    email = str(st.user.get("email") or "")
    return find_oidc_user(store, email) if email else None


RUN_KEY = "_session_access_this_run"  # (user, scope), resolved once per run by the router


def _end(reason: str) -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state[ENDED_KEY] = reason


def _signed_in_user(store: MarketStore) -> User | None:
    """The signed-in user as the store knows them now: a removed user, a changed role or a changed
    password takes effect on the session's next run, not at its next sign-in."""
    user = st.session_state.get(SESSION_KEY)
    if isinstance(user, User):
        now = find_user(store, user.username)
        if now is None:
            st.session_state.pop(SESSION_KEY, None)
        elif now.epoch != user.epoch:  # the password changed (or staff ended the sessions) since
            _end("password_changed")
            return None
        return now
    return _oidc_user(store)


def _idle_expired() -> bool:
    """True (and the sign-in forgotten) when the session sat idle longer than the setting."""
    now = time.time()
    last = st.session_state.get(LAST_ACTIVITY_KEY)
    st.session_state[LAST_ACTIVITY_KEY] = now
    signed_in = isinstance(st.session_state.get(SESSION_KEY), User) or (
        oidc_configured() and st.user.is_logged_in
    )
    if not signed_in or not isinstance(last, int | float) or now - last <= idle_minutes() * 60:
        return False
    _end("idle")
    if oidc_configured() and st.user.is_logged_in:
        st.logout()  # the provider's cookie would sign the session straight back in
    return True


def resolve_session(store: MarketStore) -> User | None:
    """Called by the router at the top of every run: who this session is, read from the store once.

    The pages' loaders then ask `current_scope`, which reads this answer instead of querying again.
    """
    user = None if _idle_expired() else _signed_in_user(store)
    scope = user.scope if user is not None else NOBODY if sign_in_required(store) else SINGLE_MACHINE
    st.session_state[RUN_KEY] = (user, scope)
    return user


def current_scope(store: MarketStore) -> LedgerScope:
    """What this session may read and change in the ledger (as resolved at the top of this run)."""
    if RUN_KEY not in st.session_state:  # a page run without the router (never in the app)
        resolve_session(store)
    return st.session_state[RUN_KEY][1]


def client_address() -> str:
    """Who is asking, for the per-client throttle: the proxy's X-Real-IP when the deployment says
    it sits behind one (GOLD_DASHBOARD_TRUST_PROXY=1), else the connection's address."""
    try:
        if os.environ.get("GOLD_DASHBOARD_TRUST_PROXY", "").strip().lower() in ("1", "true", "yes", "on"):
            forwarded = st.context.headers.get("X-Real-IP")
            if isinstance(forwarded, str) and forwarded.strip():
                return forwarded.strip()
        address = st.context.ip_address
        return address if isinstance(address, str) and address else "local"
    except Exception:  # no request context (a bare script run)
        return "local"


def sign_in(store: MarketStore, username: str, password: str) -> bool:
    """The sign-in form's path: the store's throttle, argon2, and a fixed pause after a failure."""
    result = sign_in_attempt(store, username, password, client_address())
    if result.user is None:
        st.session_state[FAILURE_KEY] = (result.reason, result.retry_after_s)
        time.sleep(FAILED_SIGN_IN_DELAY_S)
        return False
    st.session_state.pop(FAILURE_KEY, None)
    st.session_state.pop(ENDED_KEY, None)
    st.session_state[SESSION_KEY] = result.user
    st.session_state[LAST_ACTIVITY_KEY] = time.time()
    return True


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(RUN_KEY, None)
    if oidc_configured() and st.user.is_logged_in:
        st.logout()
