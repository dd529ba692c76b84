"""Presentation without Streamlit: the briefing report (HTML and Excel), plotly charts, table headers and
cells, page sentences and people's text made safe to show. Used by ui/ (the pages), cli.py and the
benchmarks; it reads words and formats from i18n and imports nothing of Streamlit."""
