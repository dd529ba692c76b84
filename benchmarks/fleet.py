"""A fleet: N Streamlit processes behind nginx (sticky sessions) on one PostgreSQL, M browser sessions.

    python benchmarks/fleet.py [--processes 3] [--sessions 60] [--limit-s 180] [--total-limit-s 1800]
        [--skip-restarts]

Runs as root on a machine with Debian's chromium, nginx and postgresql: it starts a PostgreSQL server of
its own (a temporary data folder on a free port, so restarting it disturbs nobody), N app processes and
nginx with docs/deployment.md's recipe (a route cookie pins a browser to one process: hash of the cookie,
consistent). What it does, in order:

1. M Chromium sessions (a quarter staff, the rest members of the demo cooperatives) sign in through nginx
   and walk the pages (benchmarks/load.py's walk); page-switch latency percentiles, errors, memory of each
   process.
2. An import made outside a process (the CLI) is counted by the Sales page of every process on its next
   rerun.
3. `prices refresh` and `alerts run` started at the same moment on two "hosts" (two processes): the TRM
   answer is served slowly by a loopback HTTP server so both runs overlap; one of them refreshes, the store
   holds one row per day, and a real SMTP server on loopback receives one e-mail for the crossing.
4. A rolling restart of every app process, then a PostgreSQL stop and start: sessions sign in again or keep
   going, pages say the store is unavailable (no traceback) and come back by themselves.

Figures are printed side by side in one run; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pandas as pd  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from load import CHROMIUM_ARGS, PAGES, PASSWORD, cli, drive, prepare_store, settled  # noqa: E402
from page_weight import free_port, wait_for_http  # noqa: E402
from playwright.async_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from i18n import t  # noqa: E402
from tests.helpers.loopback import json_answer, loopback_server  # noqa: E402
from tests.helpers.official_fixtures import trm_rows_from_shared_yahoo_cop, trm_windows_from_shared_yahoo_cop  # noqa: E402

#: docs/deployment.md's sticky sessions: a route cookie set on the first answer, hashed to one process.
ROUTE_LINES = """
    map $cookie_gold_route $gold_route { "" $request_id; default $cookie_gold_route; }
    map $cookie_gold_route $gold_route_cookie {
        "" "gold_route=$request_id; Path=/; HttpOnly; SameSite=Lax"; default "";
    }
"""


def nginx_conf(prefix: Path, ports: list[int], listen: int) -> str:
    servers = " ".join(f"server 127.0.0.1:{port};" for port in ports)
    return f"""
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
{ROUTE_LINES}
    upstream gold_dashboard {{ hash $gold_route consistent; {servers} }}
    server {{
        listen 127.0.0.1:{listen};
        add_header Set-Cookie $gold_route_cookie always;
        location / {{
            proxy_pass http://gold_dashboard;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 86400;
        }}
    }}
}}
"""


class Fleet:
    """N app processes and nginx on loopback, stopped on exit."""

    def __init__(self, env: dict, workdir: Path, processes: int) -> None:
        self.env, self.workdir = env, workdir
        self.ports = [free_port() for _ in range(processes)]
        self.apps: dict[int, subprocess.Popen] = {}
        for port in self.ports:
            self.start_app(port)
        self.listen = free_port()
        prefix = workdir / "nginx"
        (prefix / "tmp").mkdir(parents=True, exist_ok=True)
        os.chmod(prefix, 0o755)
        os.chmod(prefix / "tmp", 0o777)  # nginx's workers may run as another user
        (prefix / "nginx.conf").write_text(nginx_conf(prefix, self.ports, self.listen))
        self.nginx = subprocess.Popen(
            [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for port in [*self.ports, self.listen]:
            wait_for_http(f"http://127.0.0.1:{port}/_stcore/health", 180)

    def start_app(self, port: int) -> None:
        self.apps[port] = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def restart_app(self, port: int) -> None:
        self.apps[port].terminate()
        self.apps[port].wait(timeout=30)
        self.start_app(port)
        wait_for_http(f"http://127.0.0.1:{port}/_stcore/health", 180)

    def memory_mb(self) -> dict[int, tuple[float, float]]:
        """Per process: (resident now, peak resident) in MB, from /proc."""
        sizes = {}
        for port, process in self.apps.items():
            fields = dict(
                line.split(":", 1) for line in Path(f"/proc/{process.pid}/status").read_text().splitlines()
            )
            sizes[port] = tuple(int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))
        return sizes  # type: ignore[return-value]

    def stop(self) -> None:
        for process in [self.nginx, *self.apps.values()]:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return f"p50 {at(0.50):.1f} s, p90 {at(0.90):.1f} s, p99 {at(0.99):.1f} s, max {ordered[-1]:.1f} s"


async def signed_in_page(browser, url: str, user: str, limit_s: float):
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    page = await context.new_page()
    await page.goto(url, timeout=limit_s * 1000, wait_until="domcontentloaded")
    await sign_in(page, user, limit_s)
    return page


async def sign_in(page, user: str, limit_s: float) -> None:
    field = page.get_by_label(t("sign_in_username", "es"))
    await field.wait_for(timeout=limit_s * 1000)
    await field.fill(user)
    await page.get_by_label(t("sign_in_password", "es")).fill(PASSWORD)
    started = time.monotonic()
    await page.get_by_role("button", name=t("sign_in_button", "es")).click()
    await settled(page, started, limit_s)


async def open_page(page, key: str, limit_s: float) -> tuple[float | None, int, str]:
    """Click a page in the sidebar: (seconds, tracebacks shown, the page's text)."""
    started = time.monotonic()
    await page.locator('[data-testid="stSidebarNav"] a', has_text=t(key, "es")).click()
    took = await settled(page, started, limit_s)
    errors = await page.locator('[data-testid="stException"]').count()
    return took, errors, await page.inner_text("body")


SALES_COUNT = re.compile(r"([\d.]+) ventas, ")


def sales_count(body: str) -> int | None:
    """The Sales page's count line ("1.234 ventas, …"): the table itself is drawn on a canvas."""
    found = SALES_COUNT.search(body)
    return int(found.group(1).replace(".", "")) if found else None


async def cross_process_import(fleet: Fleet, env: dict, workdir: Path, limit_s: float) -> list[str]:
    """A Sales page open in every process before a CLI import counts the new sale on its next rerun."""
    lines = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        pages = {}
        for port in fleet.ports:
            pages[port] = await signed_in_page(browser, f"http://127.0.0.1:{port}", "staff", limit_s)
        before = {
            port: sales_count((await open_page(page, "nav_sales", limit_s))[2])
            for port, page in pages.items()
        }
        demo = pd.read_csv(workdir / "ventas_demo.csv")
        row = demo.sort_values("date").tail(1).copy()
        row["buyer"], row["sale_id"] = (
            f"Comprador Flota {uuid.uuid4().hex[:6]}",
            f"FLOTA-{uuid.uuid4().hex[:6]}",
        )
        row.to_csv(workdir / "una_venta.csv", index=False)
        cli(env, "ledger", "import", str(workdir / "una_venta.csv"))
        for port, page in pages.items():
            started = time.monotonic()
            _took, errors, body = await open_page(page, "nav_sales", limit_s)
            after = sales_count(body)
            lines.append(f"  process :{port}: sales counted {before[port]} before the import, {after} on the next "
                         f"rerun ({time.monotonic() - started:.1f} s, {errors} tracebacks)")  # fmt: skip
        await browser.close()
    return lines


class Inbox:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


def two_hosts_at_once(env: dict, *args: str) -> list[subprocess.CompletedProcess]:
    """The same CLI command started in two processes at the same moment."""
    command = [sys.executable, str(ROOT / "cli.py"), *args]
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]  # fmt: skip
    return [subprocess.CompletedProcess(command, p.wait(), *p.communicate()) for p in procs]


def timers_run_once(env: dict, url: str) -> list[str]:
    lines = []
    trm_rows = trm_rows_from_shared_yahoo_cop(trm_windows_from_shared_yahoo_cop())
    with loopback_server() as server:
        server.static("/trm/resource/32sa-8pi3.json", json_answer(trm_rows, delay_s=3.0))  # both runs overlap
        refresh_env = {**env, "GOLD_DASHBOARD_TRM_URL": server.base + "/trm/resource/32sa-8pi3.json"}
        runs = two_hosts_at_once(refresh_env, "prices", "refresh", "--source", "trm")
        asked = len(server.asked("/trm"))
    added = [sum(row["rows_added"] for row in json.loads(run.stdout)) for run in runs]
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        rows, days = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT date) FROM prices WHERE series_id='USD_COP' AND source='trm'"
            )
        ).one()
    lines.append(f"  prices refresh on two hosts at once: rows added {added}, the TRM asked {asked} time(s), "
                 f"exit codes {[r.returncode for r in runs]}; stored {rows} rows for {days} days")  # fmt: skip
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        mail_env = {**env, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(controller.port)}
        # the stored prices end years ago: a "the data is old" rule holds now and mails once per crossing
        cli(mail_env, "alerts", "add", "--email", "operador@example.org", "--currency", "USD", "--unit", "oz",
            "--stale")  # fmt: skip
        runs = two_hosts_at_once(mail_env, "alerts", "run")
        time.sleep(1)
    finally:
        controller.stop()
    sent = [len(json.loads(run.stdout)["sent"]) for run in runs]
    lines.append(f"  alerts run on two hosts at once: e-mails sent per host {sent}, received {len(inbox.messages)} "
                 f"(one crossing)")  # fmt: skip
    engine.dispose()
    return lines


async def restarts(
    fleet: Fleet, postgres: PrivatePostgres, url: str, users: list[str], limit_s: float
) -> list[str]:
    """Sessions through nginx while every app process restarts in turn, then while PostgreSQL restarts."""
    lines = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        pages = [await signed_in_page(browser, url, user, limit_s) for user in users]
        for port in fleet.ports:
            fleet.restart_app(port)
        signed_again = errors = 0
        for page, user in zip(pages, users, strict=True):
            started = time.monotonic()  # the user reopens the tab: a new session on the restarted process
            await page.reload(wait_until="domcontentloaded")
            await settled(page, started, limit_s)
            if await page.get_by_label(t("sign_in_username", "es")).count():
                signed_again += 1
                await sign_in(page, user, limit_s)
            _took, shown, _body = await open_page(page, "nav_overview", limit_s)
            errors += shown
        lines.append(f"  rolling restart of {len(fleet.ports)} processes: {len(users)} sessions, {signed_again} "
                     f"asked to sign in again, {errors} tracebacks after")  # fmt: skip
        postgres.stop()
        down_errors = told = 0
        for page in pages:
            started = time.monotonic()
            await page.reload(wait_until="domcontentloaded")
            await settled(page, started, limit_s)
            down_errors += await page.locator('[data-testid="stException"]').count()
            told += int(t("store_unavailable", "es") in await page.inner_text("body"))
        postgres.start()
        started = time.monotonic()
        recovered = after_errors = 0
        for page in pages:  # no click: the page looks again by itself every 5 s
            try:
                await page.get_by_text(t("store_unavailable", "es")).wait_for(
                    state="detached", timeout=limit_s * 1000
                )
                recovered += 1
            except PlaywrightTimeout:
                pass
            after_errors += await page.locator('[data-testid="stException"]').count()
        lines.append(f"  PostgreSQL stopped: {told} of {len(pages)} reloaded pages said the store is unavailable, "
                     f"{down_errors} tracebacks; started again: {recovered} of {len(pages)} pages came back by "
                     f"themselves within {time.monotonic() - started:.0f} s, {after_errors} tracebacks")  # fmt: skip
        await browser.close()
    return lines


class PrivatePostgres:
    """A PostgreSQL server of the benchmark's own (Debian's binaries, a temporary data folder, a free port), so
    restarting it disturbs nobody else. Its processes run as the `postgres` user, as Debian's do."""

    def __init__(self, workdir: Path) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bins or os.geteuid() != 0:
            raise SystemExit("the fleet needs root and Debian's postgresql (apt-get install postgresql)")
        self.bin, self.port = bins[-1], free_port()
        self.data = workdir / "pg"
        self.data.mkdir()
        shutil.chown(workdir, "postgres")
        shutil.chown(self.data, "postgres")
        self.as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self.start()
        self.as_postgres(str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-qc",
                         "CREATE DATABASE fleet")  # fmt: skip
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/fleet"

    def as_postgres(self, *command: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)

    def pg_ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.data} -c max_connections=300 -c listen_addresses=127.0.0.1"
        self.as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
                         str(self.data / "log"), action)  # fmt: skip

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self) -> None:
        self.pg_ctl("stop")


def report_walk(results: list, sessions: int, wall: float, memory: dict) -> None:
    served = [r for r in results if r[2] is not None and not r[3]]
    errors = [r for r in results if r[2] is None or r[3]]
    switches = [r[2] for r in served if r[1] in PAGES]
    print(f"walk: {sessions} sessions, wall {wall:.0f} s; pages served {len(served)} of {sessions * (len(PAGES) + 2)}, "
          f"errors {len(errors)}")  # fmt: skip
    if switches:
        print(f"  page switch: {percentiles(switches)} ({len(switches)} switches)")
    for error in errors[:10]:
        print(f"  error: {error}")
    for port, (now_mb, peak_mb) in memory.items():
        print(f"  process :{port}: resident {now_mb:.0f} MB now, {peak_mb:.0f} MB at its peak")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--limit-s", type=float, default=180, help="per page")
    parser.add_argument("--total-limit-s", type=float, default=1800, help="the whole walk")
    parser.add_argument("--skip-restarts", action="store_true")
    args = parser.parse_args()
    # a stop (SIGTERM, a timeout) still runs the `finally` below: no server or browser is left behind
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="gold_fleet_"))
    postgres = PrivatePostgres(workdir)
    env = {**os.environ, "DATABASE_URL": postgres.url, "GOLD_DASHBOARD_OFFLINE": "1"}
    fleet = None
    try:
        cooperatives = prepare_store(env, workdir)
        fleet = Fleet(env, workdir, args.processes)
        proxy = f"http://127.0.0.1:{fleet.listen}"
        users = ["staff" if i % 4 == 0 else f"member{i % len(cooperatives)}" for i in range(args.sessions)]
        print(f"{args.processes} app processes behind nginx on one PostgreSQL, {os.cpu_count()} cores")
        wall = time.monotonic()
        results = asyncio.run(drive(proxy, users, args.limit_s, args.total_limit_s))  # load.py's walk
        report_walk(results, args.sessions, time.monotonic() - wall, fleet.memory_mb())
        print("an import seen by every process:")
        print("\n".join(asyncio.run(cross_process_import(fleet, env, workdir, args.limit_s))))
        print("timers on two hosts at once:")
        print("\n".join(timers_run_once(env, postgres.url)))
        if not args.skip_restarts:
            print("restarts:")
            print("\n".join(asyncio.run(restarts(fleet, postgres, proxy, users[:6], args.limit_s))))
    finally:
        if fleet is not None:
            fleet.stop()
        postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
