"""The Forecast page speaks plainly above "Detalles técnicos": the models' technical names, "random walk",
seconds and UTC times only inside it (issue 30), in Spanish and English."""

import re

import pytest
from streamlit.testing.v1 import AppTest

from i18n import t
from tests.conftest import PROJECT_ROOT
from tests.test_pages import chart_title

#: Jargon a manager should not meet outside the details: a model's name, "random walk", a duration in
#: seconds ("71,0 s"), a UTC clock time.
JARGON = re.compile(r"ARIMA|Theta|paseo aleatorio|random walk|acktest|\d+[.,]\d s\b|\bUTC\b", re.IGNORECASE)


def shown_texts(node, inside: bool, details: str, plain: list[str], technical: list[str]) -> None:
    """Every text an element shows (value, label, options, a chart's title), sorted by whether it sits
    inside the "Detalles técnicos" expander."""
    label = getattr(node, "label", None)
    inside = inside or (node.type == "expander" and label == details)
    texts = [label, getattr(node, "value", None), *getattr(node, "options", [])]
    if node.type == "plotly_chart":
        texts.append(chart_title(node))
    (technical if inside else plain).extend(text for text in texts if isinstance(text, str))
    for child in getattr(node, "children", {}).values():
        shown_texts(child, inside, details, plain, technical)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_forecast_jargon_only_inside_technical_details(db_url, lang):
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    assert not at.exception, at.exception
    plain: list[str] = []
    technical: list[str] = []
    details = t("technical_details", lang)
    shown_texts(at._tree, False, details, plain, technical)
    leaks = [text for text in plain if JARGON.search(text)]
    assert not leaks, leaks
    # the plain part is there (the status says what was tested, the model list reads plainly) ...
    tested = "Prueba en el pasado con datos al" if lang == "es" else "Tested on the past with data to"
    assert any(text.startswith(tested) for text in plain)
    no_change = "Sin cambio" if lang == "es" else "No change"
    assert no_change in plain  # the random walk's plain name among the model choices
    # ... and the technical words moved into the details, not away: the measured run with its seconds, the
    # leaderboard naming each model both ways
    assert any(re.search(r"\d+[.,]\d s$", text) for text in technical)
    board = next(e for e in at.expander if e.label == details).dataframe[0].value
    models = set(board.iloc[:, 0].str.replace(r" ✓ .*", "", regex=True))
    expected = (
        {
            "Según los movimientos recientes (ARIMA)",
            "Tendencia suavizada (Theta)",
            "Sin cambio (paseo aleatorio)",
        }
        if lang == "es"
        else {"From recent moves (ARIMA)", "Smoothed trend (Theta)", "No change (random walk)"}
    )
    assert expected <= models
