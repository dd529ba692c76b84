"""Sales: import the cooperative's sales (file or pasted rows), map columns once, see every wrong row
before storing, edit or delete a sale (audited), download the ledger.

Thin: parsing, validation and storage are in services/sales.py (through ui.ledger_import); this file lays them out.
"""

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from analytics.premiums import CERTIFICATIONS
from data.files.exports import csv_bytes, excel_bytes
from data.market.series import CURRENCIES
from data.store.errors import describe
from i18n import DATE_INPUT_FORMAT, N_, format_day, format_grams, format_number, problem_text, t, tn
from i18n.keys import CERTIFICATION, FIELD
from presentation.tables import (
    changed_rows,
    column_label,
    conversion_text,
    display_frame,
    export_frame,
    file_label,
    problem_rows,
    sale_label,
    sheet_label,
    sheets_text,
    skipped_text,
    totals_text,
    understood_rows,
)
from presentation.text import plain_markdown
from services.sales import FIELDS, REQUIRED, LedgerFileError, LedgerParse
from ui.banner import example_ledger_switch
from ui.inputs import number_field
from ui.ledger_import import import_sales, preview_sales, remember_columns, sales_file_header
from ui.page import page_setup
from ui.settings import ALL_COOPERATIVES, current_cooperative
from ui.state import (
    audit_trail_for,
    delete_stored_sale,
    edit_stored_sale,
    every_stored_sale,
    ledger_presence,
    may_manage,
    own_cooperatives,
    sales_page,
    selected_sales,
)
from ui.style import fitted_table

setup = page_setup(N_("sales_title"))
lang = setup.lang
cooperative = current_cooperative()
view = ledger_presence()  # stored sales: only whose; the table below reads one page in SQL
sales = selected_sales(view, cooperative)  # the demo ledger's (small), or empty for stored sales

example_ledger_switch(view, lang, on_sales_page=True)


DATE_ORDER_WORDS = {
    "day_first": N_("sales_date_order_day_first"),
    "month_first": N_("sales_date_order_month_first"),
}


def date_order_question(parsed: LedgerParse, lang: str) -> str | None:
    """Ask how the dates are written when the column's cells do not say (every day 12 or less); say so
    when they were read month first. The answer, kept in the session, is read with the whole column."""
    order, column = parsed.date_order, parsed.mapping.get("date", "")
    if order.get("decided_by") in ("undecided", "chosen"):
        return st.radio(
            t("sales_date_order_question", lang, column=column),
            ["day_first", "month_first"],
            format_func=lambda choice: t(DATE_ORDER_WORDS[choice], lang),
            horizontal=True,
            key="sales_date_order",
        )
    if order.get("order") == "month_first":
        st.caption(t("sales_date_order_decided", lang, column=column))
    return None


def store_sales(
    content: bytes,
    filename: str,
    mapping: dict,
    coop_name: str | None,
    header: list[str],
    currency: str,
    apply_changes: bool = False,
    date_order: str | None = None,
) -> None:
    """Button callback: store, remember the mapping, and clear the inputs so the preview goes away."""
    try:
        st.session_state.sales_report = import_sales(
            content, filename, mapping, coop_name, currency, apply_changes, date_order
        )
    except ValueError as error:  # a database failure, in one line (data.store.errors.StoreError)
        st.session_state.sales_store_error = str(error)
        return
    remember_columns(header, mapping, coop_name)
    st.session_state.sales_paste = ""
    st.session_state.upload_round = st.session_state.get("upload_round", 0) + 1


report = st.session_state.pop("sales_report", None)
if (store_error := st.session_state.pop("sales_store_error", None)) is not None:
    st.error(t("sales_file_error", lang, reason=plain_markdown(store_error)))
if report is not None:
    st.success(
        t(
            "sales_stored",
            lang,
            inserted=report["inserted"],
            duplicates=report["duplicates"],
            rejected=len(report["rejected"]),
        )
    )
    if report.get("changed"):
        applied = int(report.get("changes_applied", 0))
        st.info(
            t("sales_changes_applied", lang, count=applied)
            if applied
            else t("sales_changes_not_applied", lang, count=len(report["changed"]))
        )

# --- import: a file or pasted rows; mapping; preview; store
with st.expander(t("sales_import", lang), expanded=not view.has_stored_sales):
    upload = st.file_uploader(
        t("sales_file", lang),
        type=["csv", "txt", "xlsx"],
        key=f"sales_upload_{st.session_state.get('upload_round', 0)}",
    )
    pasted = st.text_area(t("sales_paste", lang), key="sales_paste", height=100)
    default_name = "" if cooperative == ALL_COOPERATIVES or view.is_demo else cooperative
    if (own := own_cooperatives()) is not None and len(own) == 1:  # a member of one cooperative
        default_name = own[0]
    coop_name = st.text_input(t("sales_coop_name", lang), value=default_name, key="sales_coop_name")
    default_currency = st.selectbox(
        t("sales_currency", lang),
        list(CURRENCIES),
        index=list(CURRENCIES).index(setup.currency) if setup.currency in CURRENCIES else 0,
        key="sales_currency",
    )
    content, filename = None, ""
    if upload is not None:
        content, filename = upload.getvalue(), upload.name
    elif pasted.strip():
        content, filename = pasted.encode("utf-8"), "pasted.tsv" if "\t" in pasted else "pasted.csv"
    if content:
        try:
            header, proposed, header_currency = sales_file_header(content, filename, coop_name or None)
        except LedgerFileError as error:
            header, proposed, header_currency = [], {}, None
            st.error(t("sales_file_error", lang, reason=plain_markdown(problem_text(error.problem, lang))))
        if header:
            st.markdown("**" + t("sales_mapping", lang) + "**")
            mapping: dict[str, str] = {}
            choices = ["", *header]
            columns = st.columns(3)
            for position, field_name in enumerate(FIELDS):
                current = proposed.get(field_name, "")
                label = t(FIELD[field_name], lang) + (" *" if field_name in REQUIRED else "")
                picked = columns[position % 3].selectbox(
                    label,
                    choices,
                    index=choices.index(current) if current in choices else 0,
                    format_func=lambda column: column or t("sales_not_mapped", lang),
                    key=f"map_{field_name}",
                )
                if picked:
                    mapping[field_name] = picked
            parsed: LedgerParse | None = None
            try:
                parsed = preview_sales(
                    content,
                    filename,
                    mapping,
                    coop_name or None,
                    default_currency,
                    st.session_state.get("sales_date_order"),
                )
            except LedgerFileError as error:
                st.error(
                    t("sales_file_error", lang, reason=plain_markdown(problem_text(error.problem, lang)))
                )
            if parsed is not None:
                st.write(
                    t(
                        "sales_preview",
                        lang,
                        good=len(parsed.sales),
                        rejected=len(parsed.rejected),
                        flagged=len(parsed.flagged),
                    )
                )
                if len(parsed.sheets) > 1:  # a workbook's sheets: each read with its rows, or why not
                    st.markdown("**" + t("sales_sheets_title", lang) + "**")
                    for sentence in sheets_text(parsed.sheets, lang):
                        st.caption(plain_markdown(sentence))
                if header_currency and "currency" not in parsed.mapping:
                    column = parsed.mapping.get("amount_received", "")
                    st.caption(t("sales_currency_from_header", lang, column=column, currency=header_currency))
                chosen_order = date_order_question(parsed, lang)
                for total in parsed.totals:  # the sheet's own totals against what was read
                    (st.success if total["matches"] else st.warning)(totals_text(total, lang))
                # what the import understood, before anything is stored: field, column, unit, currency
                st.markdown("**" + t("sales_understood", lang) + "**")
                st.dataframe(understood_rows(parsed, lang), hide_index=True, width="stretch")
                for conversion in parsed.conversions:
                    st.caption(conversion_text(conversion, lang))
                if parsed.changed:
                    st.markdown("**" + t("sales_changed", lang, count=len(parsed.changed)) + "**")
                    st.dataframe(changed_rows(parsed.changed, lang), hide_index=True, width="stretch")
                for sentence in skipped_text(parsed.skipped, lang):
                    st.caption(plain_markdown(sentence))
                if parsed.rejected:
                    st.markdown("**" + t("sales_rejected", lang) + "**")
                    st.dataframe(problem_rows(parsed.rejected, lang), hide_index=True, width="stretch")
                if parsed.flagged:
                    st.markdown("**" + t("sales_flagged", lang) + "**")
                    st.dataframe(problem_rows(parsed.flagged, lang), hide_index=True, width="stretch")
                if len(parsed.sales):
                    new_rows = len(parsed.sales) - len(parsed.changed)
                    st.button(
                        tn("sales_store", new_rows, lang)
                        if not parsed.changed
                        else t("sales_store_without_changes", lang, count=new_rows),
                        type="secondary" if parsed.changed else "primary",
                        key="sales_store",
                        on_click=store_sales,
                        args=(
                            content,
                            filename,
                            mapping,
                            coop_name or None,
                            header,
                            default_currency,
                            False,
                            chosen_order,
                        ),
                    )
                if parsed.changed:
                    st.button(
                        t("sales_store_with_changes", lang, count=len(parsed.changed)),
                        type="primary",
                        key="sales_store_changes",
                        on_click=store_sales,
                        args=(
                            content,
                            filename,
                            mapping,
                            coop_name or None,
                            header,
                            default_currency,
                            True,
                            chosen_order,
                        ),
                    )

# --- the ledger: stored sales a page at a time (a cooperative may have 100,000), the demo ledger whole
st.subheader(t(N_("sales_table_demo") if view.is_demo else N_("sales_table"), lang))
if view.has_stored_sales:
    wanted = int(st.session_state.get("sales_page_number", 1))
    page = sales_page(cooperative, wanted)
    if page.totals.count == 0:
        st.stop()
    sales = page.sales
    count, fine, first_day, last_day = (
        page.totals.count,
        page.totals.fine_gold_g,
        page.totals.first,
        page.totals.last,
    )
else:
    if sales.empty:
        st.stop()
    count, fine = len(sales), float(sales["fine_gold_g"].sum())
    first_day, last_day = sales["date"].min(), sales["date"].max()
st.caption(
    tn(
        "sales_count",
        count,
        lang,
        count=format_number(count, lang, 0),
        fine=format_grams(fine, lang),
        first=format_day(first_day, lang),
        last=format_day(last_day, lang),
    )
)
shown = sales.drop(columns=[c for c in ("import_id",) if c in sales.columns])
# cells as text in the chosen language (not the browser's locale); downloads keep the numbers
# the columns a manager looks for first (a phone shows two or three of them before scrolling)
first = ["date", "sale_id", "fine_gold_g", "amount_received", "currency", "buyer", "certification"]
ordered = [c for c in first if c in shown.columns] + [c for c in shown.columns if c not in first]
fitted_table(
    display_frame(shown[ordered], lang),
    [column_label(name, lang) for name in ("date", "fine_gold_g", "amount_received")],
    lang,
    key="sales_stored",
)
if view.has_stored_sales and page.pages > 1:
    st.session_state["sales_page_number"] = page.page  # within 1..pages when the selection shrank
    st.number_input(
        t("sales_page_number", lang, pages=format_number(page.pages, lang, 0)),
        min_value=1,
        max_value=page.pages,
        step=1,
        key="sales_page_number",
    )
    st.caption(
        t(
            "sales_page_rows",
            lang,
            first=format_number(page.first_row, lang, 0),
            last=format_number(page.last_row, lang, 0),
            count=format_number(count, lang, 0),
        )
    )


def whole_selection() -> pd.DataFrame:
    """What the downloads hold: every sale of the selection (read from the store only on a click)."""
    every = every_stored_sale(cooperative) if view.has_stored_sales else sales
    return every.drop(columns=[c for c in ("import_id",) if c in every.columns]).set_index("sale_id")


stem = file_label("sales", lang)
csv_column, excel_column = st.columns(2)
csv_column.download_button(
    t("sales_download_csv", lang),
    lambda: csv_bytes(export_frame(whole_selection(), lang)),
    f"{stem}.csv",
    "text/csv",
)
excel_column.download_button(
    t("sales_download_xlsx", lang),
    lambda: excel_bytes(
        {sheet_label("sales", lang): export_frame(whole_selection(), lang)},
        about={
            t("about_demo", lang): t(N_("yes") if view.is_demo else N_("no"), lang),
            t("field_cooperative", lang): cooperative,
        },
        about_header=(t("col_item", lang), t("col_value", lang)),
        about_sheet=sheet_label("about", lang),
    ),
    f"{stem}.xlsx",
)

if view.is_demo:
    st.caption(t("sales_demo_no_edit", lang))
    st.stop()

# --- edit one sale (of the page shown: the table's rows)
names = {
    (row.cooperative, row.sale_id): sale_label(row.sale_id, row.date, row.buyer, lang)
    for row in sales.itertuples()
}
labels = {f"{key[0]} · {name}": key for key, name in names.items()}
with st.expander(t("sales_edit", lang)):
    picked_label = st.selectbox(t("sales_pick", lang), list(labels), key="edit_pick")
    coop_of_sale, sale_id = labels[picked_label]
    row = sales[(sales["cooperative"] == coop_of_sale) & (sales["sale_id"] == sale_id)].iloc[0]
    with st.form(f"edit_sale_{sale_id}"):  # keys carry the sale: switching sales shows its own values
        left, right = st.columns(2)
        changes = {
            "date": left.date_input(
                t("field_date", lang),
                row["date"].date(),
                max_value=max(pd.Timestamp.now().date(), row["date"].date()),  # no future dates, as import
                key=f"edit_date_{sale_id}",
                format=DATE_INPUT_FORMAT[lang],
            ),
            "buyer": right.text_input(t("field_buyer", lang), row["buyer"], key=f"edit_buyer_{sale_id}"),
            "gross_weight_g": number_field(
                t("field_gross_weight_g", lang),
                float(row["gross_weight_g"]),
                lang,
                key=f"edit_weight_{sale_id}",
                digits=3,
                min_value=0.001,
                container=left,
            ),
            "fineness": number_field(
                t("field_fineness", lang),
                float(row["fineness"]),
                lang,
                key=f"edit_fineness_{sale_id}",
                digits=4,
                min_value=0.001,
                max_value=1.0,
                container=right,
            ),
            "currency": left.selectbox(
                t("field_currency", lang),
                list(CURRENCIES),
                list(CURRENCIES).index(row["currency"]),
                key=f"edit_cur_{sale_id}",
            ),
            "amount_received": number_field(
                t("field_amount_received", lang),
                float(row["amount_received"]),
                lang,
                key=f"edit_amount_{sale_id}",
                digits=2,
                min_value=0.01,
                container=right,
            ),
            "certification": left.selectbox(
                t("field_certification", lang),
                CERTIFICATIONS,
                CERTIFICATIONS.index(row["certification"]),
                format_func=lambda c: t(CERTIFICATION[c], lang),
                key=f"edit_cert_{sale_id}",
            ),
            "premium_received_usd": number_field(
                t("field_premium_received_usd", lang),
                float(row["premium_received_usd"]),
                lang,
                key=f"edit_prem_{sale_id}",
                digits=2,
                min_value=0.0,
                container=right,
            ),
            "notes": st.text_input(t("field_notes", lang), row["notes"], key=f"edit_notes_{sale_id}"),
        }
        if st.form_submit_button(t("sales_save", lang)):
            try:
                edit_stored_sale(coop_of_sale, sale_id, changes)
            except ValueError as error:
                st.error(plain_markdown(error))
            except SQLAlchemyError as error:  # one line, never the row's values
                st.error(plain_markdown(describe(error)))
            else:
                st.toast(t("sales_saved", lang, sale=plain_markdown(names[coop_of_sale, sale_id])))
                st.rerun()

# --- delete one sale, with confirmation
with st.expander(t("sales_delete", lang)):
    doomed_label = st.selectbox(t("sales_pick", lang), list(labels), key="delete_pick")
    doomed_coop, doomed_id = labels[doomed_label]
    if st.button(
        t("sales_delete_button", lang, sale=plain_markdown(names[doomed_coop, doomed_id])), key="delete_ask"
    ):
        st.session_state.delete_pending = doomed_label
    if st.session_state.get("delete_pending") == doomed_label:
        st.warning(t("sales_delete_confirm", lang, sale=plain_markdown(names[doomed_coop, doomed_id])))
        yes, no = st.columns(2)
        if yes.button(t("sales_delete_yes", lang), type="primary", key="delete_yes"):
            try:
                delete_stored_sale(doomed_coop, doomed_id)
            except SQLAlchemyError as error:  # one line, never the row's values
                st.error(plain_markdown(describe(error)))
            else:
                st.session_state.delete_pending = None
                st.toast(t("sales_deleted", lang, sale=plain_markdown(names[doomed_coop, doomed_id])))
                st.rerun()
        if no.button(t("sales_delete_no", lang), key="delete_no"):
            st.session_state.delete_pending = None
            st.rerun()

if may_manage():  # the audit trail holds before/after values of every cooperative: staff only
    with st.expander(t("sales_audit", lang)):
        st.dataframe(display_frame(audit_trail_for(cooperative), lang), hide_index=True, width="stretch")
