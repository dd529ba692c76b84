import pandas as pd

from data.market.cleaning import clean_observations


def rows(values, start="2024-05-06", dates=None):
    dates = pd.to_datetime(dates) if dates is not None else pd.bdate_range(start, periods=len(values))
    return pd.DataFrame(
        {
            "line": range(2, 2 + len(values)),
            "date": dates,
            "value": [float("nan") if v is None else v for v in values],
            "raw_date": [d.strftime("%Y-%m-%d") for d in dates],
            "raw_value": ["null" if v is None else str(v) for v in values],
        }
    )


def test_absurd_value_is_rejected_real_crash_is_kept_and_flagged():
    values = [3300.0, 3310.0, 3305.0, 2.0, 3320.0, 3315.0, 2980.0, 2990.0, 3000.0]
    result = clean_observations(rows(values))
    assert [r["line"] for r in result.rejected] == [5]  # the 2.0
    assert "impossible next to its neighbours" in result.rejected[0]["reason"]
    # 3315 -> 2980 is -10.1 %, like gold on 2026-01-30: stored, flagged
    assert 2980.0 in result.observations["value"].tolist()
    assert any("extreme move -10.1%" in f["reason"] for f in result.flagged)
    assert len(result.observations) == len(values) - 1


def test_null_non_positive_duplicates_and_weekends():
    frame = rows(
        [10.0, None, -1.0, 10.5, 10.5, 11.0, 10.8],
        dates=[
            "2024-05-06",
            "2024-05-07",
            "2024-05-08",
            "2024-05-09",
            "2024-05-09",
            "2024-05-11",
            "2024-05-11",
        ],
    )
    frame.loc[6, "value"] = 12.0  # a second, different value for Saturday 11 May
    result = clean_observations(frame)
    reasons = {r["line"]: r["reason"] for r in result.rejected}
    assert reasons[3] == "missing value 'null'"
    assert reasons[4] == "non-positive value -1"
    assert "different value than line 7" in reasons[8]
    flags = {(f["line"], f["reason"]) for f in result.flagged}
    assert (6, "duplicate of line 5") in flags
    assert (7, "weekend date (Saturday), kept") in flags
    assert result.observations["date"].is_unique
    assert result.observations["value"].tolist() == [10.0, 10.5, 11.0]


def test_calendar_day_series_have_no_weekend_flags():
    frame = rows([4000.0] * 7, dates=pd.date_range("2024-05-06", periods=7, freq="D"))
    assert clean_observations(frame, calendar_days=True).flagged == []
    assert len(clean_observations(frame).flagged) == 2


def test_every_flag_and_rejection_is_a_code_with_params_worded_in_spanish():
    from data.files.parsing import Problem
    from i18n import problem_text

    values = [3300.0, 3310.0, 3305.0, 2.0, 3320.0, 3315.0, 2980.0, 2990.0, 3000.0, None, -1.0, 3000.0]
    dates = [*pd.bdate_range("2024-05-06", periods=11), "2024-05-25"]  # the last a Saturday
    result = clean_observations(rows(values, dates=dates))
    entries = result.flagged + result.rejected
    assert {e["code"] for e in entries} == {
        "value_impossible",
        "extreme_move",
        "value_missing",
        "value_not_positive",
        "weekend_date",
    }
    for entry in entries:
        (problem,) = entry["problems"]
        params = {key: value for key, value in problem.items() if key != "code"}
        assert problem["code"] == entry["code"] and params.items() <= entry.items()
        assert Problem(entry["code"], params).english() == entry["reason"]  # the CLI's reason, unchanged
    spanish = {e["code"]: problem_text(e["problems"][0], "es") for e in entries}
    assert spanish["value_impossible"] == "El valor 2 es imposible junto a sus vecinos (mediana 3.300,00)"
    assert spanish["extreme_move"] == "Movimiento extremo de -10,1 % (se conserva)"
    assert spanish["value_missing"] == "Falta el valor («null»)"
    assert spanish["value_not_positive"] == "Valor no positivo: -1"
    assert spanish["weekend_date"] == "Fecha en fin de semana (sábado): se conserva"
