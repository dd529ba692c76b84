"""Entry point: page config, run context, sign-in, sidebar settings, data refresh and state banner, navigation.

Run with `streamlit run dashboard.py`. No computation here: pages draw the views of services/ through
ui/state's caches. Which pages a session sees follows the run context's scope; the ledger reads
themselves are filtered in data/ledger.
"""

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data.accounts.alerts import confirm_address
from data.accounts.users import market_is_public
from i18n import format_day, set_reader_currency, t, tn
from i18n.keys import ROLE
from presentation.text import plain_markdown
from ui.auth import NOBODY, NOTICE_KEY, hide_session_ids_in_logs, sign_out
from ui.banner import data_banner
from ui.import_widget import price_import_sidebar, price_refresh_sidebar
from ui.settings import cooperative_sidebar, rate_kind_sidebar, sidebar_settings
from ui.state import (
    current_data_state,
    ledger_presence,
    may_manage,
    refresh_market_data,
    resolve_run_context,
    snapshot,
)
from ui.store import get_store, store_unavailable
from ui.style import page_style

st.set_page_config(page_title="Oro · Gold", page_icon=":material/paid:", layout="wide")
hide_session_ids_in_logs()  # Streamlit logs session ids on reconnects: never a session to resume

settings = sidebar_settings()
lang = settings.language
page_style(lang)
set_reader_currency(settings.currency)  # one number convention for every text of this run
if "confirm" in st.query_params:  # an alert address's confirmation link: no sign-in needed
    confirmed = confirm_address(get_store(), str(st.query_params.pop("confirm")))
    if confirmed:
        st.success(t("alerts_confirmed", lang, email=plain_markdown(confirmed)))
    else:
        st.error(t("alerts_confirm_unknown", lang))
try:
    context = resolve_run_context()  # once per run: data versions, user and scope
except SQLAlchemyError:  # the database is down or restarting: a message that retries, no traceback
    store_unavailable(lang)
signed_in = context.scope != NOBODY  # signed in, or a single machine without users

market_pages = [
    st.Page("app_pages/overview.py", title=t("nav_overview", lang), icon=":material/paid:", default=True),
    st.Page("app_pages/market.py", title=t("nav_market", lang), icon=":material/show_chart:"),
    st.Page("app_pages/forecast.py", title=t("nav_forecast", lang), icon=":material/query_stats:"),
    st.Page("app_pages/timing.py", title=t("nav_timing", lang), icon=":material/schedule:"),
]
ledger_pages = [
    st.Page("app_pages/briefing.py", title=t("nav_briefing", lang), icon=":material/summarize:"),
    st.Page("app_pages/sales.py", title=t("nav_sales", lang), icon=":material/receipt_long:"),
    st.Page("app_pages/premiums.py", title=t("nav_premiums", lang), icon=":material/workspace_premium:"),
    st.Page("app_pages/offers.py", title=t("nav_offers", lang), icon=":material/handshake:"),
    st.Page("app_pages/buyers.py", title=t("nav_buyers", lang), icon=":material/groups:"),
    st.Page("app_pages/alerts.py", title=t("nav_alerts", lang), icon=":material/notifications:"),
]
sign_in_page = st.Page(
    "app_pages/sign_in.py", title=t("nav_sign_in", lang), icon=":material/login:", url_path="sign-in"
)

if signed_in:
    pages = market_pages + ledger_pages
elif market_is_public():
    pages = [*market_pages, sign_in_page]
else:  # nothing but the sign-in form: no prices, no banner, no sidebar data
    st.navigation([sign_in_page]).run()
    st.stop()

if context.user is not None:
    with st.sidebar:
        st.markdown(
            t(
                "signed_in_as",
                lang,
                user=plain_markdown(context.user.username),
                role=t(ROLE[context.user.role], lang),
            )
        )
        st.button(t("sign_out", lang), on_click=sign_out, key="sign_out")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:  # failed attempts against this account since its last sign-in: told once, on arrival
        count, last = notice
        st.warning(tn("sign_in_notice_failures", count, lang, day=format_day(last, lang)))

refresh_market_data()
if signed_in and may_manage():  # price files change everyone's prices: staff only
    price_import_sidebar(lang)  # before the banner, so an import shows in this very run
    price_refresh_sidebar(lang)  # the same for a refresh from the sources
rate_kind_sidebar(settings.currency, list(snapshot().fx_by_kind.get(settings.currency, {})), lang)
data_banner(current_data_state(settings.currency), lang)
if signed_in:
    cooperative_sidebar(ledger_presence().cooperatives, lang)

try:
    st.navigation(pages).run()
except SQLAlchemyError:
    store_unavailable(lang)
