"""Recorded answers of the official sources, built in each API's documented format from the real values
of ../shared/data/market/ (never copies of those files: every fixture is generated here, in the test).

- `lbma_feed_from_shared_fred`: the LBMA gold PM feed (`[{"d": "YYYY-MM-DD", "v": [USD, GBP, EUR]}]`) from
  the FRED LBMA PM file; GBP and EUR are not in that file and are written 0, as the feed writes a
  currency without a fix.
- `trm_rows_from_shared_yahoo_cop`: datos.gov.co TRM rows (`valor`, `unidad`, `vigenciadesde`,
  `vigenciahasta`) from the real Yahoo USD/COP closes (the shared folder holds no TRM file): each close
  is valid from its day until the day before the next close, so the windows cover every calendar day
  as the TRM's do. `trm_csv_export` writes the same windows as the dataset's CSV export.
- `bcrp_answer_from_shared_pen`: a BCRP API answer (`config`, `periods` named `02.Ene.97` with Spanish
  month abbreviations) from the real BCRP USD/PEN file (the banking-system sell rate, PD04640PD, served
  under the interbank series' path).
"""

from __future__ import annotations

import pandas as pd

from tests.conftest import COP_YAHOO, GOLD_LBMA, PEN_BCRP, shared_file

BCRP_MONTHS = ("Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Set", "Oct", "Nov", "Dic")


def shared_lbma() -> pd.Series:
    """The real LBMA PM fix, USD/oz, by day (the FRED file's '.' days left out)."""
    frame = pd.read_csv(shared_file(GOLD_LBMA), na_values=["."], parse_dates=["DATE"])
    frame = frame.dropna()
    return pd.Series(
        frame["GOLDPMGBD228NLBM"].to_numpy(), index=pd.DatetimeIndex(frame["DATE"]), name="GOLD_USD"
    )


def shared_cop() -> pd.Series:
    """The real Yahoo USD/COP closes by day (the all-null row left out)."""
    frame = pd.read_csv(shared_file(COP_YAHOO), na_values=["null"], parse_dates=["Date"]).dropna(
        subset=["Close"]
    )
    return pd.Series(frame["Close"].to_numpy(), index=pd.DatetimeIndex(frame["Date"]), name="USD_COP")


def shared_pen() -> pd.Series:
    """The real BCRP USD/PEN rate by day."""
    frame = pd.read_csv(shared_file(PEN_BCRP), encoding="utf-8-sig")
    days = pd.to_datetime(frame["Fecha"], format="%d/%m/%Y")
    return pd.Series(frame["Tipo_Cambio"].to_numpy(), index=pd.DatetimeIndex(days), name="USD_PEN")


def lbma_feed_from_shared_fred(until: pd.Timestamp | None = None) -> list[dict]:
    fix = shared_lbma()
    if until is not None:
        fix = fix[fix.index <= until]
    return [{"d": f"{day:%Y-%m-%d}", "v": [float(value), 0, 0]} for day, value in fix.items()]


def trm_windows_from_shared_yahoo_cop() -> pd.DataFrame:
    """(valor, desde, hasta): each real close valid until the day before the next one."""
    closes = shared_cop().round(2)
    starts = closes.index
    ends = list(starts[1:] - pd.Timedelta(days=1)) + [starts[-1]]
    return pd.DataFrame({"valor": closes.to_numpy(), "desde": starts, "hasta": pd.DatetimeIndex(ends)})


def trm_rows_from_shared_yahoo_cop(windows: pd.DataFrame) -> list[dict]:
    """The windows as the SODA API returns them (numbers and floating timestamps as text)."""
    return [
        {
            "valor": f"{row.valor:.2f}",
            "unidad": "COP",
            "vigenciadesde": f"{row.desde:%Y-%m-%d}T00:00:00.000",
            "vigenciahasta": f"{row.hasta:%Y-%m-%d}T00:00:00.000",
        }
        for row in windows.itertuples(index=False)
    ]


def trm_csv_export(windows: pd.DataFrame) -> bytes:
    """The same windows as datos.gov.co's CSV export: quoted, "$3,879.25", dd/mm/yyyy, newest first."""
    lines = ['"VALOR","UNIDAD","VIGENCIADESDE","VIGENCIAHASTA"']
    for row in windows.iloc[::-1].itertuples(index=False):
        lines.append(f'"${row.valor:,.2f}","COP","{row.desde:%d/%m/%Y}","{row.hasta:%d/%m/%Y}"')
    return ("\n".join(lines) + "\n").encode()


def bcrp_period_name(day: pd.Timestamp) -> str:
    return f"{day.day:02d}.{BCRP_MONTHS[day.month - 1]}.{day.year % 100:02d}"


def bcrp_answer_from_shared_pen(first: pd.Timestamp | None = None, last: pd.Timestamp | None = None) -> dict:
    rates = shared_pen()
    if first is not None:
        rates = rates[rates.index >= first]
    if last is not None:
        rates = rates[rates.index <= last]
    return {
        "config": {
            "title": "Tipo de cambio",
            "series": [{"name": "Tipo de cambio - TC Interbancario (S/ por US$) - Venta", "dec": "3"}],
        },
        "periods": [
            {"name": bcrp_period_name(day), "values": [f"{value:.3f}"]} for day, value in rates.items()
        ],
    }
