"""Load test: N concurrent browser sessions (Playwright contexts on Debian's Chromium) against one
Streamlit server on loopback. Each session signs in (a quarter as staff, the rest as members of one of
two cooperatives) and opens every page from the sidebar, as a user clicks through the dashboard.

    python benchmarks/load.py [--sessions 20] [--limit-s 900] [--port 8611]

Prints pages served, errors (a Streamlit exception on the page or a page not done within its time
limit) and page times (click → the page's script has finished and the page stopped changing). The
store is a fresh SQLite file with the real ../shared market files when present (else demo prices)
and the fictional demo ledger; a warm-up session runs first, as after any deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import Page, async_playwright  # noqa: E402

from i18n import N_, t  # noqa: E402

SHARED_MARKET = ROOT.parent / "shared" / "data" / "market"
MARKET_FILES = [
    "gold_usd_daily_lbma_pm_fred_GOLDPMGBD228NLBM.csv",
    "usd_cop_daily_yahoo_usdcopx_2016_2021.csv",
    "usd_pen_daily_bcrp_1997_2024.csv",
]
PAGES = [
    N_("nav_overview"),
    N_("nav_market"),
    N_("nav_forecast"),
    N_("nav_timing"),
    N_("nav_briefing"),
    N_("nav_sales"),
    N_("nav_premiums"),
]
PASSWORD = "clave de prueba de carga"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]


def cli(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"cli.py {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def prepare_store(env: dict, workdir: Path) -> list[str]:
    """Market files, the demo ledger and users; returns the two cooperatives' names."""
    for name in MARKET_FILES:
        if (SHARED_MARKET / name).exists():
            cli(env, "prices", "import", str(SHARED_MARKET / name))
    ledger = workdir / "ventas_demo.csv"
    subprocess.run([sys.executable, "-m", "data.demo_ledger", str(ledger)], env=env, cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    cli(env, "ledger", "import", str(ledger))
    import pandas as pd

    cooperatives = sorted(pd.read_csv(ledger)["cooperative"].unique())
    cli({**env, "GOLD_DASHBOARD_PASSWORD": PASSWORD}, "users", "add", "staff", "--role", "staff")
    for index, name in enumerate(cooperatives):
        cli({**env, "GOLD_DASHBOARD_PASSWORD": PASSWORD}, "users", "add", f"member{index}", "--role", "member",
            "--cooperative", name)  # fmt: skip
    return cooperatives


async def settled(page: Page, started: float, limit_s: float) -> float | None:
    """Seconds from `started` until the script run ended and the page stopped changing (None: too slow)."""
    last, changed_at = None, time.monotonic()
    while time.monotonic() - started < limit_s:
        running = await page.locator('[data-testid="stStatusWidget"]').count()
        ids = await page.eval_on_selector_all("[data-testid]", "e => e.map(x => x.dataset.testid).join()")
        if running or ids != last:
            last, changed_at = ids, time.monotonic()
        elif time.monotonic() - changed_at > 0.6:
            return changed_at - started
        await asyncio.sleep(0.1)
    return None


async def session(browser, url: str, user: str, limit_s: float, results: list, delay_s: float) -> None:
    await asyncio.sleep(delay_s)
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    page = await context.new_page()
    try:
        started = time.monotonic()
        await page.goto(url, timeout=limit_s * 1000, wait_until="domcontentloaded")
        await page.get_by_label(t("sign_in_username", "es")).wait_for(timeout=limit_s * 1000)
        results.append((user, "open", time.monotonic() - started, 0))
        await page.get_by_label(t("sign_in_username", "es")).fill(user)
        await page.get_by_label(t("sign_in_password", "es")).fill(PASSWORD)
        started = time.monotonic()
        await page.get_by_role("button", name=t("sign_in_button", "es")).click()
        results.append((user, "sign in", await settled(page, started, limit_s), 0))
        for key in PAGES:
            link = page.locator('[data-testid="stSidebarNav"] a', has_text=t(key, "es"))
            started = time.monotonic()
            await link.click()
            took = await settled(page, started, limit_s)
            errors = await page.locator('[data-testid="stException"]').count()
            results.append((user, key, took, errors))
    except Exception as error:  # a broken session is an error in the figures, not a crash of the test
        results.append((user, f"session failed: {type(error).__name__}: {str(error)[:120]}", None, 1))
    finally:
        await context.close()


async def drive(url: str, users: list[str], limit_s: float, total_limit_s: float) -> list:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        warm: list = []
        await session(browser, url, "staff", limit_s, warm, 0)
        steps = ", ".join(f"{r[1].removeprefix('nav_')} {r[2]:.1f}" for r in warm if r[2] is not None)
        print(f"warm-up session alone (s): {steps}")
        results: list = []
        tasks = [session(browser, url, user, limit_s, results, 0.25 * i) for i, user in enumerate(users)]
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), total_limit_s)
        except TimeoutError:
            results.append(("all", f"stopped at the {total_limit_s:.0f} s bound", None, 1))
        await browser.close()
        return results


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy since boot, all cores (Linux /proc/stat)."""
    user, nice, system, idle, iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--limit-s", type=float, default=180, help="per page")
    parser.add_argument("--total-limit-s", type=float, default=900, help="the whole concurrent run")
    parser.add_argument("--port", type=int, default=8611)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gold_load_"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'store.sqlite'}",
        "GOLD_DASHBOARD_OFFLINE": "1",
    }
    cooperatives = prepare_store(env, workdir)
    url = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(args.port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    server_before = 0.0
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        users = ["staff" if i % 4 == 0 else f"member{i % len(cooperatives)}" for i in range(args.sessions)]
        busy_before, server_before = machine_busy_seconds(), cpu_seconds(server.pid)
        wall = time.monotonic()
        results = asyncio.run(drive(url, users, args.limit_s, args.total_limit_s))
        wall, busy_s = time.monotonic() - wall, machine_busy_seconds() - busy_before
    finally:
        server_cpu_s = cpu_seconds(server.pid) - server_before
        server.terminate()
        server.wait(timeout=30)

    served = [r for r in results if r[2] is not None and not r[3]]
    errors = [r for r in results if r[2] is None or r[3]]
    times = [r[2] for r in served]
    print(
        f"{args.sessions} concurrent sessions, one Streamlit server on loopback, 2 cores: wall {wall:.0f} s"
    )
    print(f"pages served: {len(served)} of {args.sessions * (len(PAGES) + 2)}; errors: {len(errors)}")
    print(
        f"CPU during the run (warm-up included): machine busy {busy_s:.0f} of {len(os.sched_getaffinity(0)) * wall:.0f} "
        f"core-seconds, of which the Streamlit server {server_cpu_s:.0f} s; the rest is the browsers"
    )
    if times:
        slowest = max(served, key=lambda r: r[2])
        print(f"page time: median {statistics.median(times):.1f} s, 95th pct {sorted(times)[int(0.95 * (len(times) - 1))]:.1f} s, "
              f"slowest {slowest[2]:.1f} s ({slowest[1]}, {slowest[0]})")  # fmt: skip
        for key in ["open", "sign in", *PAGES]:
            page_times = [r[2] for r in served if r[1] == key]
            if page_times:
                print(
                    f"  {key:14s} median {statistics.median(page_times):5.1f} s  max {max(page_times):5.1f} s"
                )
    for error in errors[:10]:
        print(f"  error: {error}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
