"""Bytes a browser transfers to read today's price: the dashboard's Overview behind nginx, with and
without compression, first and repeat visit; and the light price card.

Starts, on loopback only, one Streamlit server (offline, a throw-away store with demo prices, or with
`--import FILE ...` real price files) and one nginx in front of it with the recipe in docs/deployment.md: one
`server` without gzip and one with it. Then Debian's Chromium (Playwright, no browser download) opens
the Overview: a first visit in a fresh profile, a repeat visit in the same profile (its HTTP cache
warm). Two counts per visit:
- `wire`: what nginx wrote to the socket for every request of the visit, the websocket included
  (`$bytes_sent` in nginx's access log, headers and compressed bodies: what the phone pays for);
- `http`: the browser's own count of HTTP bytes received (CDP `encodedDataLength`), websocket excluded.
Streamlit's own `server.enableWebsocketCompression` is measured as a third variant (gzip + it).

    python benchmarks/page_weight.py [--import FILE ...] [--card-currency COP --card-unit g]

Needs `apt-get install -y nginx chromium`. Prints one table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The gzip lines of docs/deployment.md, word for word (what a deployment copies).
GZIP_LINES = """
        gzip on;
        gzip_vary on;
        gzip_proxied any;
        gzip_comp_level 6;
        gzip_min_length 1024;
        gzip_types text/css application/javascript text/javascript application/json image/svg+xml
                   text/plain font/ttf application/octet-stream;
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url: str, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def nginx_conf(prefix: Path, app_port: int, plain_port: int, gzip_port: int, card_dir: Path) -> str:
    location = f"""
        location /precio/ {{ alias {card_dir}/; default_type text/html; expires 10m; }}
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
            proxy_read_timeout 86400;
        }}
"""
    return f"""
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    log_format weight '$server_port $status $bytes_sent $request_uri';
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server {{
        listen 127.0.0.1:{plain_port};
        access_log {prefix}/access.log weight;
{location}
    }}
    server {{
        listen 127.0.0.1:{gzip_port};
        access_log {prefix}/access.log weight;
{GZIP_LINES}
{location}
    }}
}}
"""


class Servers:
    """Streamlit + nginx on loopback; stopped (by their own process ids) on exit."""

    def __init__(self, workdir: Path, ws_compression: bool, card_dir: Path) -> None:
        self.workdir = workdir
        self.app_port, self.plain_port, self.gzip_port = free_port(), free_port(), free_port()
        self.prefix = workdir / f"nginx-{'ws' if ws_compression else 'plain'}"
        (self.prefix / "tmp").mkdir(parents=True, exist_ok=True)
        os.chmod(self.prefix, 0o755)
        os.chmod(self.prefix / "tmp", 0o777)  # nginx's workers may run as another user
        (self.prefix / "nginx.conf").write_text(
            nginx_conf(self.prefix, self.app_port, self.plain_port, self.gzip_port, card_dir)
        )
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir / 'store.sqlite'}",
            "GOLD_DASHBOARD_OFFLINE": "1",
        }
        self.app = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard.py"),
                "--server.address", "127.0.0.1", "--server.port", str(self.app_port),
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.enableWebsocketCompression", "true" if ws_compression else "false",
            ],
            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.nginx = subprocess.Popen(
            [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(self.prefix), "-c",
             str(self.prefix / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_http(f"http://127.0.0.1:{self.app_port}/_stcore/health")
        wait_for_http(f"http://127.0.0.1:{self.plain_port}/_stcore/health")

    def log_size(self) -> int:
        log = self.prefix / "access.log"
        return log.stat().st_size if log.exists() else 0

    def bytes_since(self, offset: int, port: int) -> tuple[int, int]:
        """(bytes nginx sent on `port`, requests) logged after `offset`."""
        total = requests = 0
        with open(self.prefix / "access.log", encoding="utf-8") as log:
            log.seek(offset)
            for line in log:
                fields = line.split()
                if len(fields) >= 3 and fields[0] == str(port):
                    total += int(fields[2])
                    requests += 1
        return total, requests

    def stop(self) -> None:
        for process in (self.nginx, self.app):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def visit(context, url: str) -> int:
    """Open the Overview until its price and chart are drawn; the browser's HTTP bytes received."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received = {"http": 0}

    def finished(event: dict) -> None:
        received["http"] += int(event.get("encodedDataLength", 0))

    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    page.wait_for_timeout(2_000)  # late requests (fonts, icons) and the websocket's last deltas
    page.close()  # closes the websocket, so nginx writes its log line
    return received["http"]


def measure(servers: Servers, browser, port: int, label: str, rows: list) -> None:
    url = f"http://127.0.0.1:{port}/"
    context = browser.new_context()
    for kind in ("first", "repeat"):
        offset = servers.log_size()
        http = visit(context, url)
        time.sleep(1.5)  # nginx logs a websocket when it closes
        wire, requests = servers.bytes_since(offset, port)
        rows.append((label, kind, wire, http, requests))
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--import", dest="files", nargs="*", default=[], help="price files to store first")
    parser.add_argument("--card-currency", default="COP")
    parser.add_argument("--card-unit", default="g")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, str, int, int, int]] = []
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o755)
        card_dir = workdir / "card"
        card_dir.mkdir()
        os.chmod(card_dir, 0o755)
        card_note = _card(workdir, card_dir, args)
        for ws_compression in (False, True):
            servers = Servers(workdir, ws_compression, card_dir)
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    if not ws_compression:
                        measure(servers, browser, servers.plain_port, "nginx, no gzip", rows)
                        measure(servers, browser, servers.gzip_port, "nginx gzip", rows)
                        if card_note:
                            card_note += _card_bytes(servers, browser)
                    else:
                        measure(
                            servers, browser, servers.gzip_port, "nginx gzip + websocket compression", rows
                        )
                    browser.close()
            finally:
                servers.stop()
    print(f"{'variant':<38} {'visit':<7} {'wire bytes':>12} {'http bytes':>12} {'requests':>9}")
    for label, kind, wire, http, requests in rows:
        print(f"{label:<38} {kind:<7} {wire:>12,} {http:>12,} {requests:>9}")
    if card_note:
        print(card_note)


def _card(workdir: Path, card_dir: Path, args: argparse.Namespace) -> str:
    """Store the price files (if any) and write the card the timer of docs/deployment.md would write."""
    from data.market.market_data import import_prices
    from data.store import MarketStore
    from services.card import write_card

    store = MarketStore.from_url(f"sqlite:///{workdir / 'store.sqlite'}")
    for name in args.files:
        path = Path(name)
        import_prices(store, path.read_bytes(), path.name)
    try:
        card = write_card(
            store, args.card_currency, args.card_unit, "es", card_dir / "index.html", as_of=None
        )
    except ValueError as error:
        return f"card: not written ({error}); pass --import with gold and exchange-rate files"
    finally:
        store.engine.dispose()
    os.chmod(card_dir / "index.html", 0o644)
    return f"card: {card.bytes:,} bytes on disk ({card.date})"


def _card_bytes(servers: Servers, browser) -> str:
    sizes = []
    for port in (servers.plain_port, servers.gzip_port):
        context = browser.new_context()
        page = context.new_page()
        offset = servers.log_size()
        page.goto(f"http://127.0.0.1:{port}/precio/", wait_until="load")
        page.close()
        context.close()
        time.sleep(0.5)
        sizes.append(servers.bytes_since(offset, port)[0])
    return f"; first visit over the wire: {sizes[0]:,} bytes without gzip, {sizes[1]:,} with"


if __name__ == "__main__":
    main()
