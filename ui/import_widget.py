"""The sidebar's price-file import: upload, optional series, a report with every flagged/rejected row."""

from __future__ import annotations

import streamlit as st

from data.importers import PriceFileError
from data.series import SERIES
from i18n import problem_text, t
from ui.state import import_price_file
from ui.tables import price_problem_rows
from ui.text import plain_markdown


def price_import_sidebar(lang: str) -> None:
    with st.sidebar.expander(t("import_header", lang)):
        upload = st.file_uploader(t("import_file", lang), type=["csv", "txt", "xlsx"], key="price_upload")
        choice = st.selectbox(
            t("import_series", lang),
            ["auto", *SERIES],
            key="price_upload_series",
            format_func=lambda s: t("import_auto", lang) if s == "auto" else s,
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
                    series=report["series"],
                    format=report["format"],
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
