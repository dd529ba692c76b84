"""The page's own style sheet: Streamlit's fixed English in the file uploader worded in the reader's
language, tab labels that wrap instead of being cut, and tables that fit a phone.

Streamlit has no setting for the uploader's texts ("Upload", "20MB per file • CSV, XLSX"), so the style
sheet hides them (font size 0) and writes ours in their place with CSS `content`; the button and the
drop zone keep working as before. Only text is replaced, never a control, so a Streamlit upgrade that
renames a test id shows its English again rather than breaking the upload (tests/test_style.py checks
the ids against the installed Streamlit's uploader). Checked in Chromium against Streamlit 1.67's DOM (phone
390 px and desktop, Sales page): the button reads "Elegir archivo", the drop zone "Hasta 20 MB por archivo".

What a style sheet cannot reword: the screen-reader labels Streamlit's frontend writes as attributes in
English whatever the page's language ("Help for <label>" on every tooltip icon, "file upload" on the
uploader's input, "Download as CSV", "Search", "Fullscreen", "Show/hide columns" on tables and charts,
"Expand sidebar", "Main menu", "Link to heading"). CSS changes shown text, never an attribute; `st.html`
strips scripts; a component's script rewriting the parent page would be undone by React's next render
and is the kind of DOM coupling an upgrade breaks. Our own labels (the widget labels that follow "Help
for", the uploader's section label) are in the reader's language, so a screen reader reads English
framing around Spanish words until Streamlit translates its frontend.

Tables: `fitted_table` draws a table twice, in containers whose keys this sheet shows by width: on a
screen narrower than 640 px (where Streamlit stacks columns) a few columns and the whole table one tap
away in an expander; wider, the whole table.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from ui.i18n import t

#: Streamlit stacks st.columns below this width: the phone layout.
PHONE_MAX_PX = 640


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def style_sheet(lang: str, max_upload_mb: int) -> str:
    """The CSS for one language (pure: tests read it)."""
    button = _css_string(t("uploader_button", lang))
    limit = _css_string(t("uploader_limit", lang, mb=max_upload_mb))
    return f"""<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: {button}; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: {limit}; font-size: 0.875rem; }}
[data-testid="stTabs"] [role="tablist"] {{ flex-wrap: wrap; row-gap: 0.25rem; overflow: visible; }}
@media (max-width: {PHONE_MAX_PX}px) {{ div[class*="st-key-wide-"] {{ display: none; }} }}
@media (min-width: {PHONE_MAX_PX + 1}px) {{ div[class*="st-key-phone-"] {{ display: none; }} }}
</style>"""


def page_style(lang: str) -> None:
    """Once per run, before any page draws."""
    st.html(style_sheet(lang, int(st.get_option("server.maxUploadSize"))))


def fitted_table(
    full: pd.DataFrame,
    phone_columns: Sequence[str] | int,
    lang: str,
    *,
    key: str,
    full_label: str | None = None,
    index: bool = False,
) -> None:
    """`full` (already formatted for the reader) across a wide screen; on a phone only `phone_columns`
    (headers as shown, or the first so many), with the whole table in an expander below. `index`: the
    frame's index holds the rows' names (shown as the first column on both widths)."""
    with st.container(key=f"wide-{key}"):
        st.dataframe(full, hide_index=not index, width="stretch")
    with st.container(key=f"phone-{key}"):
        wanted = list(full.columns[:phone_columns]) if isinstance(phone_columns, int) else phone_columns
        shown = [column for column in wanted if column in full.columns]
        st.dataframe(full[shown], hide_index=not index, width="stretch")
        if len(shown) < len(full.columns):
            with st.expander(full_label or t("table_full", lang, count=len(full.columns) + index)):
                st.dataframe(full, hide_index=not index, width="stretch")
