"""Sign-in: user name and password (argon2-hashed in the store), or OpenID Connect when configured."""

import math

import streamlit as st

from data.accounts.users import list_users
from i18n import N_, format_number, t
from presentation.text import plain_markdown
from ui.auth import ENDED_KEY, FAILURE_KEY, idle_minutes, oidc_configured, oidc_email_verified, sign_in
from ui.page import page_setup
from ui.store import get_store

lang = page_setup(N_("sign_in_title")).lang
store = get_store()

st.write(t("sign_in_intro", lang))
ended = st.session_state.pop(ENDED_KEY, None)
if ended == "idle":
    st.info(t("sign_in_ended_idle", lang, minutes=format_number(idle_minutes(), lang, 0)))
elif ended == "password_changed":
    st.info(t("sign_in_ended_password_changed", lang))
elif ended == "other_browser":
    st.info(t("sign_in_ended_other_browser", lang))

if oidc_configured():
    if st.user.is_logged_in:  # signed in at the provider, but no usable account of that e-mail here
        email = plain_markdown(st.user.get("email", "?"))
        key = N_("sign_in_oidc_unknown") if oidc_email_verified() else N_("sign_in_oidc_unverified")
        st.warning(t(key, lang, email=email))
    st.button(t("sign_in_oidc", lang), on_click=st.login, key="sign_in_oidc", type="primary")

if list_users(store).empty:
    st.info(t("sign_in_no_users", lang))

with st.form("sign_in_form"):
    username = st.text_input(t("sign_in_username", lang), key="sign_in_username", autocomplete="username")
    password = st.text_input(
        t("sign_in_password", lang), type="password", key="sign_in_password", autocomplete="current-password"
    )
    if st.form_submit_button(t("sign_in_button", lang), type="primary"):
        if sign_in(store, username, password):
            st.rerun()
        reason, wait_s = st.session_state.get(FAILURE_KEY, ("wrong_password", 0.0))
        if reason.startswith("throttled"):
            st.error(t("sign_in_throttled", lang, minutes=max(1, math.ceil(wait_s / 60))))
        else:
            st.error(t("sign_in_failed", lang))
