"""The sidebar's price tools for staff: a price-file import (upload, optional series, a report with every
flagged/rejected row) and a refresh from the sources, with progress."""

from __future__ import annotations

import streamlit as st

from data.market.importers import PriceFileError
from data.market.series import SERIES
from i18n import fetch_result_text, fetch_source_name, format_label, problem_text, series_label, t
from presentation.tables import price_problem_rows
from presentation.text import plain_markdown
from ui.state import import_price_file, refresh_prices_now


def price_import_sidebar(lang: str) -> None:
    with st.sidebar.expander(t("import_header", lang)):
        upload = st.file_uploader(t("import_file", lang), type=["csv", "txt", "xlsx"], key="price_upload")
        choice = st.selectbox(
            t("import_series", lang),
            ["auto", *SERIES],
            key="price_upload_series",
            format_func=lambda s: (
                t("import_auto", lang) if s == "auto" else series_label(s, lang).capitalize()
            ),
        )
        if (
            st.button(t("import_button", lang), key="price_upload_button", disabled=upload is None)
            and upload is not None
        ):
            try:
                report = import_price_file(
                    upload.getvalue(), upload.name, None if choice == "auto" else choice
                )
            except PriceFileError as error:
                st.error(t("import_failed", lang, reason=plain_markdown(problem_text(error.problem, lang))))
                return
            st.success(
                t(
                    "import_done",
                    lang,
                    series=series_label(report["series"], lang),
                    format=format_label(report["format"], lang),
                    stored=report["rows_stored"],
                    new=report["rows_new"],
                    flagged=len(report["flagged"]),
                    rejected=len(report["rejected"]),
                )
            )
            if report["flagged"] or report["rejected"]:
                st.caption(t("import_details", lang))
                st.dataframe(
                    price_problem_rows(report["flagged"], report["rejected"], lang),
                    hide_index=True,
                    height=200,
                )


def price_refresh_sidebar(lang: str) -> None:
    """Staff's button to ask the sources now (the timer's `prices refresh`), one line per source after."""
    with st.sidebar.expander(t("refresh_header", lang)):
        st.caption(t("refresh_help", lang))
        if not st.button(t("refresh_button", lang), key="price_refresh_button"):
            return
        bar = st.progress(0.0)

        def progress(done: int, total: int, source: str) -> None:
            if source:
                name = fetch_source_name(source, lang)
                bar.progress(
                    done / total, text=t("refresh_asking", lang, source=name, done=done + 1, total=total)
                )
            else:
                bar.progress(1.0, text=t("refresh_done", lang))

        results = refresh_prices_now(progress)
        if results is None:
            bar.empty()
            st.info(t("job_running_elsewhere", lang))
            return
        if any(not result.ok for result in results):
            bar.progress(1.0, text=t("refresh_some_failed", lang))
        for result in results:
            line = fetch_result_text(
                result.source,
                result.series,
                result.rows_added,
                result.first,
                result.last,
                result.error_code,
                result.error_params,
                result.skipped,
                lang,
                result.stored_as,
            )
            if not result.ok:
                st.error(line)
            elif result.rows_added:
                st.success(line)
            else:
                st.caption(line)
