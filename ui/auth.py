"""Who is using this session: a password sign-in, an OpenID Connect sign-in (st.login), or nobody.

The ledger functions take the LedgerScope returned by `resolve_session()`; the pages never decide
access themselves. Without any user in the store (a single machine), the person at the screen owns
the store, as before sign-in existed. A session ends when its user's password changes (the user's
session epoch moved on) or after GOLD_DASHBOARD_IDLE_MINUTES without a run.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
import re
import time
from collections.abc import Mapping

import streamlit as st

from data.accounts.access import LedgerScope
from data.accounts.users import REQUIRE_SIGNIN_ENV, User, find_user, sign_in_attempt, sign_in_required
from data.store import MarketStore, database_url
from ui.store import store_for

SESSION_KEY = "signed_in_user"
LAST_ACTIVITY_KEY = "_last_activity"  # wall-clock time of the session's last run (idle timeout)
ENDED_KEY = "_session_ended"  # why the last sign-in ended (shown once on the sign-in page)
FAILURE_KEY = "_sign_in_failure"  # the last failed sign-in's reason and wait (shown on the sign-in page)
SINGLE_MACHINE = LedgerScope("dashboard")  # no users in the store: the operator at the screen
NOBODY = LedgerScope("anonymous", frozenset())  # signed out where sign-in is required: no sales at all
FAILED_SIGN_IN_DELAY_S = 1.0  # slows password guessing from one session (the store's throttle does the rest)
DEFAULT_IDLE_MINUTES = 30.0
BROWSER_KEY = "_signed_in_browser"  # digest of the browser's secret at sign-in (see `browser_secret`)
BROWSER_COOKIE = "_streamlit_xsrf"  # set by Streamlit's server on the page load, sent with every connection
NOTICE_KEY = "_sign_in_notice"  # failed attempts against the account since its last sign-in (shown once)
LOG = logging.getLogger("gold_dashboard.sign_in")


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


@st.cache_data(show_spinner=False, max_entries=512)
def _user_named(url: str, users_version: int, username: str) -> User | None:
    """The user as the store knows them at `users_version` (every change to users bumps it, a password
    change too, which also moves the user's session epoch)."""
    return find_user(store_for(url), username)


@st.cache_data(show_spinner=False, max_entries=16)
def _sign_in_required(url: str, users_version: int, require_env: str) -> bool:
    return sign_in_required(store_for(url))


def _oidc_user(users_version: int) -> User | None:
    """The OpenID-Connect-only user whose name is the e-mail the provider signed in and verified; never
    a user with a password of their own."""
    if not oidc_configured() or not st.user.is_logged_in or not oidc_email_verified():
        return None
    email = str(st.user.get("email") or "").strip()
    user = _user_named(database_url(), users_version, email) if email else None
    return user if user is not None and not user.has_password else None


def _end(reason: str) -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state[ENDED_KEY] = reason


def browser_secret(cookies: Mapping[str, str]) -> str:
    """A digest of the secret this browser holds: the token of the XSRF cookie Streamlit's server set on
    the page load (unmasked: the server re-masks it on each load), '' when the connection brought none.
    A session is bound to it at sign-in, so its id alone (which Streamlit logs) signs nobody in."""
    raw = cookies.get(BROWSER_COOKIE)
    if not isinstance(raw, str) or not raw:  # none, or a test harness's stand-in object
        return ""
    token = raw.encode()
    parts = raw.split("|")
    if len(parts) == 4 and parts[0] == "2":
        try:
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
            token = bytes(byte ^ mask[i % len(mask)] for i, byte in enumerate(masked)) if mask else token
        except ValueError:
            pass
    return hashlib.sha256(token).hexdigest()


def _this_browser() -> str:
    try:
        return browser_secret(st.context.cookies)
    except Exception:  # no request context (a bare script run, the page tests)
        return ""


def _signed_in_user(users_version: int) -> User | None:
    """The signed-in user as the store knows them now: a removed user, a changed role or a changed
    password takes effect on the session's next run, not at its next sign-in. A run from another
    browser than the one that signed in (the session id presented without its cookie) ends it."""
    user = st.session_state.get(SESSION_KEY)
    if isinstance(user, User) and st.session_state.get(BROWSER_KEY, "") != _this_browser():
        LOG.warning("a signed-in session was resumed from another browser; signed out")
        _end("other_browser")
        return None
    if isinstance(user, User):
        now = _user_named(database_url(), users_version, user.username)
        if now is None:
            st.session_state.pop(SESSION_KEY, None)
        elif now.epoch != user.epoch:  # the password changed (or staff ended the sessions) since
            _end("password_changed")
            return None
        return now
    return _oidc_user(users_version)


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


def resolve_session(users_version: int) -> tuple[User | None, LedgerScope]:
    """Who this session is and what it may read, at the store's current users version (cached by it)."""
    user = None if _idle_expired() else _signed_in_user(users_version)
    if user is not None:
        return user, user.scope
    required = _sign_in_required(database_url(), users_version, os.environ.get(REQUIRE_SIGNIN_ENV, ""))
    return None, NOBODY if required else SINGLE_MACHINE


TRUSTED_PROXIES_ENV = "GOLD_DASHBOARD_TRUSTED_PROXIES"
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"


def trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """GOLD_DASHBOARD_TRUSTED_PROXIES: addresses or networks (`10.0.0.0/8`) of the reverse proxies whose
    X-Real-IP / X-Forwarded-For headers are believed; default loopback. An entry that cannot be read is
    logged and left out; an empty setting trusts nobody."""
    networks = []
    for entry in os.environ.get(TRUSTED_PROXIES_ENV, DEFAULT_TRUSTED_PROXIES).split(","):
        if entry.strip():
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                LOG.warning(
                    "%s: %r is not an address or network; ignored", TRUSTED_PROXIES_ENV, entry.strip()
                )
    return networks


def _address(text: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not isinstance(text, str):
        return None
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, networks: list) -> bool:
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 from a dual-stack socket is 127.0.0.1
    return any(address.version == network.version and address in network for network in networks)


#: Streamlit's web server (uvicorn) replaces a peer it trusts (this setting, loopback by default) by the
#: nearest hop of X-Forwarded-For before the app sees it; the README's unit sets it empty.
SERVER_FORWARDS_ENV = "FORWARDED_ALLOW_IPS"
LOOPBACK = ipaddress.ip_address("127.0.0.1")


def server_forwards() -> bool:
    """True when the web server may already have put X-Forwarded-For's nearest hop in the peer's place."""
    return os.environ.get(SERVER_FORWARDS_ENV, "127.0.0.1,::1").strip() != ""


def client_from(
    peer: object, headers: Mapping[str, str], networks: list, *, forwarded_by_server: bool = False
) -> str:
    """The client, for the throttle and the sign-in log: the connection's own peer address, unless that
    peer is a trusted proxy; then the address the proxy names (X-Real-IP, else the nearest untrusted
    hop of X-Forwarded-For). A header that is not an address is ignored (the peer stays the client).
    Streamlit gives None for a loopback peer: that is this host (a trusted proxy by default). When the
    web server already replaced the peer by a hop of X-Forwarded-For (`forwarded_by_server`), that hop
    is the client and no header is read again (the README's proxy writes that header itself)."""
    address = LOOPBACK if peer is None else _address(peer)
    if address is None:
        return "local"
    hops = [_address(hop) for hop in str(headers.get("X-Forwarded-For") or "").split(",")]
    if forwarded_by_server and address in hops:
        return str(address)
    if _trusted(address, networks):
        named = _address(headers.get("X-Real-IP"))
        if named is not None:
            return str(named)
        for hop in reversed(hops):  # the proxy appends the address it saw: read from the right
            if hop is None:
                break
            if not _trusted(hop, networks):
                return str(hop)
    return str(address)


def client_address() -> str:
    """Who is asking, for the per-client throttle (see `client_from`)."""
    try:
        return client_from(
            st.context.ip_address,
            st.context.headers,
            trusted_proxies(),
            forwarded_by_server=server_forwards(),
        )
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
    if result.failures_since_last:
        st.session_state[NOTICE_KEY] = (result.failures_since_last, result.last_failure_at)
    st.session_state[SESSION_KEY] = result.user
    st.session_state[BROWSER_KEY] = _this_browser()
    st.session_state[LAST_ACTIVITY_KEY] = time.time()
    return True


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    if oidc_configured() and st.user.is_logged_in:
        st.logout()


_SESSION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


class HideSessionIds(logging.Filter):
    """Streamlit logs live session ids ("Session with id … is already connected"); the log must not
    hand anyone a session to resume, so each id is replaced by the first 8 characters of its digest."""

    def filter(self, record: logging.LogRecord) -> bool:
        def hidden(value: object) -> object:
            if not isinstance(value, str):
                return value
            return _SESSION_ID.sub(
                lambda found: "session#" + hashlib.sha256(found[0].encode()).hexdigest()[:8], value
            )

        record.msg = hidden(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(hidden(arg) for arg in record.args)
        return True


def hide_session_ids_in_logs() -> None:
    """Put the filter on every Streamlit logger (they do not propagate: each needs its own), once."""
    for name in list(logging.root.manager.loggerDict):
        logger = logging.getLogger(name)
        if name.startswith("streamlit") and not any(isinstance(f, HideSessionIds) for f in logger.filters):
            logger.addFilter(HideSessionIds())
