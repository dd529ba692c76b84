"""Entry point: page config, sidebar settings, data refresh and state banner, navigation over app_pages/.

Run with `streamlit run dashboard.py`. No computation here: pages call analytics through ui/state.
"""

import streamlit as st

from ui.i18n import t
from ui.import_widget import price_import_sidebar
from ui.settings import cooperative_sidebar, sidebar_settings
from ui.state import data_banner, ledger_view, market_snapshot, refresh_market_data

st.set_page_config(page_title="Oro · Gold", page_icon=":material/paid:", layout="wide")

settings = sidebar_settings()
lang = settings.language

refresh_market_data()
data_banner(market_snapshot(), lang, settings.currency)
cooperative_sidebar(ledger_view().cooperatives, lang)
price_import_sidebar(lang)

navigation = st.navigation(
    [
        st.Page("app_pages/overview.py", title=t("nav_overview", lang), icon=":material/paid:", default=True),
        st.Page("app_pages/market.py", title=t("nav_market", lang), icon=":material/show_chart:"),
        st.Page("app_pages/forecast.py", title=t("nav_forecast", lang), icon=":material/query_stats:"),
        st.Page("app_pages/timing.py", title=t("nav_timing", lang), icon=":material/schedule:"),
        st.Page("app_pages/briefing.py", title=t("nav_briefing", lang), icon=":material/summarize:"),
        st.Page("app_pages/sales.py", title=t("nav_sales", lang), icon=":material/receipt_long:"),
        st.Page("app_pages/premiums.py", title=t("nav_premiums", lang), icon=":material/workspace_premium:"),
    ]
)
navigation.run()
