"""Issue 33, findings 1 and 2, end to end: real nginx on loopback with docs/deployment.md's proxy lines, real
Streamlit, websocket clients from different loopback source addresses and with forged headers. One
client's guesses never lock out another, and no client chooses its own address."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from data.accounts.users import add_user
from data.store import MarketStore
from tests.conftest import PROJECT_ROOT, postgres_schema
from tests.helpers.stream_client import run_once, streamlit_app, wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_PORT, APP_PORT = 8700, 8701  # the ports set aside for these tests
pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists(), reason="nginx is not installed (.ci/run installs it)"
)
RIGHT = "una clave larga y buena"
FORGED = {"X-Forwarded-For": "203.0.113.77", "X-Real-IP": "203.0.113.78"}


def recipe_proxy_lines() -> str:
    """The proxy_* lines of docs/deployment.md's `location /` (the recipe under test, not a copy of it)."""
    recipe = (PROJECT_ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    block = recipe[recipe.index("proxy_pass http://gold_dashboard;") :]
    block = block[: block.index("}")]
    return "\n".join(line.split("#")[0].strip() for line in block.splitlines() if line.strip())


@pytest.fixture(
    params=[("uvicorn default", "sqlite"), ("recipe unit", "sqlite"), ("recipe unit", "postgresql")],
    ids=["uvicorn-default-sqlite", "readme-unit-sqlite", "readme-unit-postgresql"],
)
def deployment(request, tmp_path) -> Iterator[int]:
    """Streamlit (the probe script) behind nginx, the throttle's store holding ana (staff) on SQLite or
    PostgreSQL. 'recipe unit' sets FORWARDED_ALLOW_IPS empty as docs/deployment.md's unit does; 'uvicorn
    default' leaves Streamlit's web server trusting loopback's forwarded header. Yields nginx's port."""
    server, kind = request.param
    if server == "uvicorn default" and "FORWARDED_ALLOW_IPS" in os.environ:
        pytest.skip("FORWARDED_ALLOW_IPS is set in this environment")
    with ExitStack() as stack:
        url = (
            stack.enter_context(postgres_schema())
            if kind == "postgresql"
            else f"sqlite:///{tmp_path / 'g.sqlite'}"
        )
        opened = MarketStore.from_url(url)
        add_user(opened, "ana", RIGHT, "staff", [])
        opened.engine.dispose()
        env = {"DATABASE_URL": url, "GOLD_DASHBOARD_TRUSTED_PROXIES": "127.0.0.1,::1"}
        if server == "recipe unit":
            env["FORWARDED_ALLOW_IPS"] = ""
        conf = tmp_path / "nginx.conf"
        conf.write_text(
            f"user root; worker_processes 1; daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
            "events {}\n"
            f"http {{ access_log off; client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
            f"  upstream gold_dashboard {{ server 127.0.0.1:{APP_PORT}; }}\n"
            f"  server {{ listen 127.0.0.1:{NGINX_PORT}; location / {{\n{recipe_proxy_lines()}\n}} }} }}\n"
        )
        proxy = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)], stderr=subprocess.DEVNULL)
        stack.callback(proxy.wait, timeout=20)
        stack.callback(proxy.terminate)
        stack.enter_context(streamlit_app("client_probe.py", APP_PORT, env, tmp_path))
        wait_for(f"http://127.0.0.1:{NGINX_PORT}/_stcore/health", proxy)
        yield NGINX_PORT


def guess(port: int, source: str, password: str, headers: dict[str, str] | None = None) -> tuple[str, str]:
    """One sign-in attempt as ana from `source`: (the client the app counted, the throttle's reason)."""
    texts = run_once(port, source=source, query=f"user=ana&password={password}", headers=headers)[1]
    found = re.fullmatch(r"client=(\S+) reason=(\S+)", texts[-1])
    assert found, texts
    return found.group(1), found.group(2)


def test_behind_the_readme_proxy_each_client_is_itself(deployment):
    """Six wrong guesses from 127.0.0.2 (each with another forged X-Forwarded-For and X-Real-IP) lock
    ana out from 127.0.0.2 only: 127.0.0.3 signs in with her password at once. Before, every client was
    'local' (Streamlit's None for a loopback peer) or the address the client wrote in its own header."""
    answers = [
        guess(deployment, "127.0.0.2", f"adivinanza {n}",
              {"X-Forwarded-For": f"198.51.100.{n}", "X-Real-IP": f"198.51.100.{100 + n}"})
        for n in range(6)
    ]  # fmt: skip
    assert {client for client, _ in answers} == {"127.0.0.2"}
    assert [reason for _, reason in answers] == ["wrong_password"] * 5 + ["throttled_account"]
    assert guess(deployment, "127.0.0.3", RIGHT, FORGED) == ("127.0.0.3", "ok")
    assert guess(deployment, "127.0.0.2", RIGHT) == ("127.0.0.2", "throttled_account")  # still locked


def test_without_a_proxy_the_peer_is_the_client(deployment):
    """Straight to Streamlit (no nginx): the connection's own address, whatever headers it sends."""
    assert guess(APP_PORT, "127.0.0.4", "adivinanza", FORGED)[0] == "127.0.0.4"
    assert guess(APP_PORT, "127.0.0.5", RIGHT) == ("127.0.0.5", "ok")
