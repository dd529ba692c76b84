"""A store that cannot be reached (PostgreSQL restarting, a cut network, a missing disk) gives every page a
plain message that retries by itself, never a traceback; once the store answers, the page comes back."""

from __future__ import annotations

from i18n import t
from tests.test_pages import PAGES, app


def test_a_database_that_does_not_answer_is_a_message_not_a_traceback(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://gold:gold@127.0.0.1:9/gold?connect_timeout=2")
    monkeypatch.setenv("GOLD_DASHBOARD_OFFLINE", "1")
    at = app().run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("store_unavailable", "es")]


def test_the_pages_come_back_by_themselves_when_the_store_answers_again(tmp_path, monkeypatch):
    missing = tmp_path / "disk" / "store.sqlite"  # the folder is not there yet: SQLite cannot open it
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    monkeypatch.setenv("GOLD_DASHBOARD_OFFLINE", "1")
    at = app()
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("store_unavailable", "en")]
    missing.parent.mkdir()  # the store is back
    at.run()
    assert not at.exception and not at.error
    for page in PAGES[:4]:
        at.switch_page(page).run()
        assert not at.exception, page
