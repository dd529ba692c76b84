"""Downloads: tables as CSV or Excel bytes, with a sheet that says where the figures come from."""

from __future__ import annotations

import io

import pandas as pd


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so that Excel in Spanish opens accents correctly; ISO dates."""
    return frame.to_csv(index=True, date_format="%Y-%m-%d").encode("utf-8-sig")


def excel_bytes(sheets: dict[str, pd.DataFrame], about: dict[str, str] | None = None) -> bytes:
    """An .xlsx workbook with one sheet per table and an 'about' sheet (source, as-of, rules)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            out = frame.copy()
            if isinstance(out.index, pd.DatetimeIndex):
                out.index = out.index.date
            for column in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[column]):
                    out[column] = out[column].dt.date
            out.to_excel(writer, sheet_name=name[:31])
        if about:
            pd.DataFrame(list(about.items()), columns=["item", "value"]).to_excel(
                writer, sheet_name="about", index=False
            )
    return buffer.getvalue()
