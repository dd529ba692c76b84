"""Issue 33, finding 7: a big cooperative's Premiums page draws at most CHART_DOTS dots (one per period
and certification, weighted by fine gold) instead of one per sale, and says so."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analytics.premiums import sales_by_period
from tests.test_pages import app


def sales(rows: list[tuple[str, str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["date", "certification", "fine_gold_g", "realised_price_per_g", "premium_pct"]
    ).assign(date=lambda frame: pd.to_datetime(frame["date"]))


def test_sales_of_a_day_and_certification_are_one_dot_weighted_by_fine_gold():
    grouped = sales_by_period(
        sales(
            [
                ("2024-05-06", "fairmined", 10.0, 100.0, -4.0),
                ("2024-05-06", "fairmined", 30.0, 200.0, 0.0),
                ("2024-05-06", "none", 5.0, 150.0, 2.0),
                ("2024-05-07", "fairmined", 20.0, 120.0, -2.0),
            ]
        ),  # fmt: skip
        most=10,
    )
    first = grouped.iloc[0]
    assert (first["date"], first["certification"], first["sales"]) == (
        pd.Timestamp("2024-05-06"),
        "fairmined",
        2,
    )
    assert first["fine_gold_g"] == 40.0
    assert first["realised_price_per_g"] == pytest.approx((10 * 100 + 30 * 200) / 40)  # 175
    assert first["premium_pct"] == pytest.approx((10 * -4.0 + 30 * 0.0) / 40)  # -1
    assert grouped["sales"].tolist() == [2, 1, 1] and len(grouped) == 3


def test_too_many_days_become_weeks_then_months():
    rows = [(f"2024-05-{day:02d}", "none", 1.0, 100.0 + day, 0.0) for day in range(6, 18)]  # 12 days
    assert len(sales_by_period(sales(rows), most=12)) == 12  # days
    weekly = sales_by_period(sales(rows), most=3)  # weeks of 6, 13 and ... May: Mon 6, Mon 13
    assert weekly["date"].tolist() == [pd.Timestamp("2024-05-06"), pd.Timestamp("2024-05-13")]
    assert weekly["sales"].tolist() == [7, 5] and weekly["realised_price_per_g"].iloc[1] == pytest.approx(
        115.0
    )
    assert sales_by_period(sales(rows), most=1)["sales"].tolist() == [12]  # one month


def test_the_premiums_chart_of_many_sales_draws_grouped_dots(db_url, monkeypatch):
    import ui.figures

    monkeypatch.setattr(ui.figures, "CHART_DOTS", 20)  # the demo ledger stands in for 100,000 sales
    at = app().run()
    at.switch_page("app_pages/premiums.py").run()
    at.toggle(key="example_ledger").set_value(True).run()
    assert not at.exception, at.exception
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    dots = [trace for trace in figure["data"] if trace.get("mode") == "markers"]
    assert sum(len(trace["x"]) for trace in dots) <= 20 * 4  # at most ~20 per period choice, months at worst
    names = [str(point[0]) for trace in dots for point in trace["customdata"]]
    assert all(name.endswith((" ventas", " venta")) for name in names), names[:5]
    assert any("cada punto reúne las de un período" in caption.value for caption in at.caption)


@pytest.mark.both_stores
def test_stored_sales_read_by_column_keep_their_types_on_both_stores(store):
    from data.accounts.access import OPERATOR
    from data.ledger import load_sales
    from services.sales import import_ledger
    from tests.test_upload_bounds import sheet

    import_ledger(store, OPERATOR, sheet(3), "ventas.csv", cooperative="Coop")
    stored = load_sales(store, OPERATOR)
    assert str(stored["date"].dtype) == "datetime64[s]" and str(stored["amount_received"].dtype) == "float64"
    assert stored["sale_id"].tolist() == ["S00000", "S00001", "S00002"]
    assert stored["date"].tolist() == [pd.Timestamp(f"2024-05-0{day}") for day in (1, 2, 3)]
    assert stored["fine_gold_g"].tolist() == [90.0] * 3 and stored["cooperative"].tolist() == ["Coop"] * 3
    assert load_sales(store, OPERATOR, ["Otra"]).empty
