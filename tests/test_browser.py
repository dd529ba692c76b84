"""A real browser: Playwright drives Debian's Chromium against the running app and finds the price."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def running_app(tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent: apt-get install -y chromium")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "GOLD_DASHBOARD_OFFLINE": "1",
    }
    streamlit = shutil.which("streamlit") or f"{sys.executable} -m streamlit"
    process = subprocess.Popen(
        [
            *streamlit.split(),
            "run",
            "dashboard.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("streamlit did not answer its health check within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_overview_shows_the_price_in_a_real_browser(running_app):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{running_app}/?lang=es&cur=COP&unit=g")
        # the price metric by its label: while Streamlit renders, other metrics may come first in the DOM
        price = (
            page.get_by_test_id("stMetric")
            .filter(has_text="1 gramo de oro fino, hoy")
            .get_by_test_id("stMetricValue")
        )
        expect(price).to_have_text(re.compile(r"^\$ \d{1,3}(\.\d{3})+$"), timeout=60_000)
        assert page.get_by_text("no son precios reales").count() >= 1
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
