"""Sign-in: user name and password (argon2-hashed in the store), or OpenID Connect when configured."""

import streamlit as st

from data.users import list_users
from ui.auth import oidc_configured, sign_in
from ui.i18n import t
from ui.settings import current_settings
from ui.store import get_store

lang = current_settings().language
store = get_store()

st.title(t("sign_in_title", lang))
st.write(t("sign_in_intro", lang))

if oidc_configured():
    if st.user.is_logged_in:  # signed in at the provider, but no user of that e-mail here
        st.warning(t("sign_in_oidc_unknown", lang, email=st.user.get("email", "?")))
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
        st.error(t("sign_in_failed", lang))
