"""Issue 33, finding 3: a signed-in session is bound to the browser that signed in. A raw websocket that
presents a signed-in member's session id (Streamlit logged it on a reconnect) without that browser's
cookie gets no signed-in page; the log shows no session id."""

from __future__ import annotations

import pytest

from data.accounts.users import add_user
from data.store import MarketStore
from tests.helpers.stream_client import run_once, streamlit_app

APP_PORT = 8702  # one of the ports set aside for these tests
RIGHT = "una clave larga y buena"
BROWSER = {"Cookie": "_streamlit_xsrf=2|0a0b0c0d|6f6e65747761|1765000000"}  # a browser's XSRF cookie
SAME_BROWSER = {"Cookie": "_streamlit_xsrf=2|01020304|64676a7d7c68|1765000000"}  # re-masked: same token


def test_a_session_id_without_the_browser_that_signed_in_is_not_signed_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'gold.sqlite'}"
    add_user(MarketStore.from_url(url), "luis", RIGHT, "member", ["Coop"])
    with streamlit_app("session_probe.py", APP_PORT, {"DATABASE_URL": url}, tmp_path) as app:
        tab: list = []  # the member's tab stays connected while the id is presented elsewhere
        session_id, texts = run_once(APP_PORT, query=f"user=luis&password={RIGHT}", headers=BROWSER, hold=tab)
        assert texts == ["user=luis cooperatives=Coop"]
        # the same browser reconnects (a dropped connection): still signed in
        again, texts = run_once(APP_PORT, session_id=session_id, headers=SAME_BROWSER)
        assert (again, texts) == (session_id, ["user=luis cooperatives=Coop"])
        # the id alone, from a raw websocket with no cookie and no XSRF token: the session is resumed
        # (Streamlit's doing) but signed out, and stays so for whoever holds it next
        run_once(APP_PORT, session_id=session_id, headers=SAME_BROWSER, hold=tab)
        taken, texts = run_once(APP_PORT, session_id=session_id, source="127.0.0.9")
        assert taken == session_id
        assert texts == ["user=nobody cooperatives="]
        assert run_once(APP_PORT, session_id=session_id, headers=BROWSER)[1] == ["user=nobody cooperatives="]
        # a forged cookie of another browser is no better
        other = {"Cookie": "_streamlit_xsrf=2|0a0b0c0d|000000000000|1765000000"}
        signed = run_once(APP_PORT, query=f"user=luis&password={RIGHT}", headers=BROWSER)[0]
        assert run_once(APP_PORT, session_id=signed, headers=other)[1] == ["user=nobody cooperatives="]
        for connection in tab:
            connection.close()
        app.terminate()
        log = app.communicate(timeout=20)[1]
    assert "already connected" in log  # Streamlit did log the reconnects...
    assert session_id not in log and signed not in log  # ...without the ids
    assert "session#" in log


@pytest.mark.parametrize(
    ("cookies", "same"),
    [({"_streamlit_xsrf": "2|01020304|64676a7d7c68|1765000000"}, True), ({}, False), ({"x": "y"}, False)],
)
def test_browser_secret_reads_the_unmasked_token(cookies, same):
    from ui.auth import browser_secret

    first = browser_secret({"_streamlit_xsrf": "2|0a0b0c0d|6f6e65747761|1765000000"})
    assert (browser_secret(cookies) == first) is same
    assert browser_secret({}) == ""
