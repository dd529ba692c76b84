"""A one-line Streamlit script for the proxy tests: a sign-in attempt through the real throttle, with the
client this process takes the connection to come from (ui.auth.client_address), written as one line."""

import streamlit as st

from data.accounts.users import sign_in_attempt
from data.store import MarketStore
from ui.auth import client_address

client = client_address()
user, password = st.query_params.get("user"), st.query_params.get("password")
reason = sign_in_attempt(MarketStore.from_url(), user, password, client).reason if user and password else "-"
st.markdown(f"client={client} reason={reason}")
