"""A Streamlit script for the session test: signs in through ui.auth when the query names a user and
password, then writes who the session is (ui.auth.resolve_session), as one line."""

import streamlit as st

from data.store import MarketStore
from ui.auth import hide_session_ids_in_logs, resolve_session, sign_in

hide_session_ids_in_logs()
store = MarketStore.from_url()
user, password = st.query_params.get("user"), st.query_params.get("password")
if user and password:
    sign_in(store, user, password)
who, scope = resolve_session(store.versions().get("users", 0))
st.markdown(
    f"user={who.username if who else 'nobody'} cooperatives={','.join(sorted(scope.cooperatives or []))}"
)
