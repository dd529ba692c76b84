"""Bounded uploads and big ledgers (issue 24, findings 3, 4 and 9): the figures beside the goals.

1. Peak memory of `cli.py ledger import` (a fresh process each, its own peak RSS) for a 10-row CSV, a
   100,000-row CSV and a 134 KB workbook whose one text cell holds 140 MB (goal: any import at most
   150 MB above the small one's).
2. Time of the 100,000-row import against the 10-row one: the whole command, as a user runs it, and
   `import_ledger` alone inside one process (goal: at most 10x).
3. A second session's page time while the 100,000-row import runs: one process, the import in a thread
   through the same function the Sales page calls, the Overview rerun in AppTest meanwhile, against the
   same reruns without the import (goal: still served, a few seconds).
4. The Sales and Premiums pages of a cooperative with 100,000 stored sales, first and warm open, and the
   process's peak memory (goal: a few seconds, memory bounded).

    python benchmarks/upload.py [--rows 100000]

These machines are shared and noisy: compare the ratios printed side by side, not the seconds.
Uses a temporary SQLite store with the real LBMA gold and USD/COP files when ../shared is there.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "data" / "market"
PRICE_FILES = (
    "gold_usd_daily_lbma_pm_fred_GOLDPMGBD228NLBM.csv",
    "usd_cop_daily_yahoo_usdcopx_2016_2021.csv",
)
COOPERATIVE = "Cooperativa Benchmark"
HEADER = (
    "Lote,Fecha,Comprador,Peso bruto (g),Ley,Valor recibido (COP),Certificación,Prima Fairmined (USD),"
    "Refinación,Regalías,Retención en la fuente,Observaciones\n"
)


def ledger_csv(path: Path, rows: int, seed: int = 5) -> Path:
    """A bookkeeper's sheet: Spanish headers, dd/mm/yyyy dates, the currency in the amount's header."""
    rng = np.random.default_rng(seed)
    days = np.datetime64("2016-01-04") + rng.integers(0, 2000, rows)
    buyers = ["Refinería Uno", "Comercializadora Dos", "Exportadora Tres", "Compradora Local"]
    certifications = ["Fairmined", "Ninguna", "Fairmined Ecológico", "Fairtrade"]
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(rows):
            day = str(days[i])
            gross, fineness = round(rng.uniform(50, 1200), 1), round(rng.uniform(0.8, 0.95), 3)
            amount = round(gross * fineness * rng.uniform(100_000, 130_000), 2)
            out.write(
                f"L{i + 1},{day[8:10]}/{day[5:7]}/{day[:4]},{buyers[i % 4]},{gross},{fineness},{amount},"
                f"{certifications[i % 4]},{round(gross * fineness * 0.004, 2)},{round(gross * 50, 2)},"
                f"{round(amount * 0.04, 2)},{round(amount * 0.015, 2)},lote semanal\n"
            )
    return path


NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def one_cell_bomb(path: Path, text_chars: int = 140_000_000) -> Path:
    """A workbook of three sales whose one shared string (a note) holds `text_chars` characters."""
    head = ["sale_id", "date", "gross_weight_g", "fineness", "currency", "amount_received", "notes"]

    def cells(row: int, values: list[str]) -> str:
        return "".join(
            f'<c r="{chr(65 + i)}{row}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values)
        )

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {NS} xmlns:r="{RELS}"><sheets>'
            '<sheet name="Ventas" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><worksheet {NS}><sheetData>'
            f'<row r="1">{cells(1, head)}</row>'
            f'<row r="2">{cells(2, ["S1", "2024-05-10", "100", "0.9", "COP", "26000000"])}'
            '<c r="G2" t="s"><v>0</v></c></row>'
            f'<row r="3">{cells(3, ["S2", "2024-05-11", "50", "0.9", "COP", "13000000", "ok"])}</row>'
            "</sheetData></worksheet>",
        )
        with archive.open("xl/sharedStrings.xml", "w") as out:
            out.write(f'<?xml version="1.0"?><sst {NS} count="1" uniqueCount="1"><si><t>'.encode())
            chunk, left = b"a" * (1 << 20), text_chars
            while left > 0:
                out.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
            out.write(b"</t></si></sst>")
    return path


def price_store(folder: Path) -> str:
    """A SQLite store with the real gold and USD/COP prices when ../shared holds them; its URL."""
    url = f"sqlite:///{folder / 'prices.sqlite'}"
    env = {**os.environ, "DATABASE_URL": url, "GOLD_DASHBOARD_OFFLINE": "1"}
    for name in PRICE_FILES:
        if (SHARED / name).exists():
            subprocess.run(
                [sys.executable, "cli.py", "prices", "import", str(SHARED / name)],
                cwd=ROOT, env=env, check=True, capture_output=True,
            )  # fmt: skip
    if not (folder / "prices.sqlite").exists():
        subprocess.run(
            [sys.executable, "cli.py", "users", "list"], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return url


def fresh_copy(prices_url: str, folder: Path, name: str) -> str:
    source = Path(prices_url.removeprefix("sqlite:///"))
    target = folder / f"{name}.sqlite"
    target.write_bytes(source.read_bytes())
    return f"sqlite:///{target}"


def peak_rss_child(url: str, path: Path) -> tuple[float, float, str]:
    """(seconds, peak MB, result) of `cli.py ledger import`; the peak is the command's own (a waiter
    process reads it: RUSAGE_CHILDREN is the largest child a process has had)."""
    code = (
        "import os,resource,subprocess,sys,time,json;"
        "t=time.perf_counter();p=subprocess.run(sys.argv[1:],capture_output=True);"
        "s=time.perf_counter()-t;"
        "print(json.dumps([s,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024,"
        "p.stdout.decode(errors='replace'),p.stderr.decode(errors='replace')]))"
    )
    env = {**os.environ, "DATABASE_URL": url, "GOLD_DASHBOARD_OFFLINE": "1"}
    command = [sys.executable, "-c", code, sys.executable, "cli.py", "ledger", "import", str(path),
               "--cooperative", COOPERATIVE]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
    seconds, peak, out, err = json.loads(result.stdout)
    try:
        answer = json.loads(out)
        summary = f"inserted {answer['inserted']}, rejected {len(answer['rejected'])}"
        if answer["rejected"]:
            summary += f" (first: {answer['rejected'][0]['code']})"
    except (ValueError, KeyError):
        summary = (err.strip().splitlines() or ["?"])[-1][:100]
    return seconds, peak, summary


def in_process_import(url: str, path: Path) -> float:
    """Seconds of `import_ledger` alone (no interpreter start) in a process of its own."""
    code = (
        "import sys,time,pathlib;sys.path.insert(0,'.');"
        "from data.store import MarketStore;from data.ledger import OPERATOR;from services.sales import import_ledger;"
        "s=MarketStore.from_url();c=pathlib.Path(sys.argv[1]).read_bytes();t=time.perf_counter();"
        f"import_ledger(s,OPERATOR,c,sys.argv[1],cooperative={COOPERATIVE!r});print(time.perf_counter()-t)"
    )
    env = {**os.environ, "DATABASE_URL": url, "GOLD_DASHBOARD_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, env=env, capture_output=True, check=True
    )
    return float(result.stdout.decode().split()[-1])


def page_times(url: str, page: str, runs: int) -> list[float]:
    from streamlit.testing.v1 import AppTest

    os.environ["DATABASE_URL"] = url
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
    app.run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        app.switch_page(page).run()
        times.append(time.perf_counter() - started)
        if app.exception:
            raise RuntimeError(str(app.exception[0].value))
    return times


def second_session(url: str, big: Path, runs: int) -> tuple[list[float], list[float], float]:
    """(Overview reruns quiet, the same during the import in another thread, import seconds)."""
    from data.ledger import OPERATOR
    from data.store import MarketStore
    from services.sales import import_ledger

    quiet = page_times(url, "app_pages/overview.py", runs)
    store = MarketStore.from_url(url)
    content = big.read_bytes()
    took: list[float] = []

    def run_import() -> None:
        started = time.perf_counter()
        import_ledger(store, OPERATOR, content, big.name, cooperative="Otra cooperativa")
        took.append(time.perf_counter() - started)

    worker = threading.Thread(target=run_import)
    worker.start()
    busy: list[float] = []
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
    app.run()
    while worker.is_alive() or not busy:
        started = time.perf_counter()
        app.switch_page("app_pages/overview.py").run()
        busy.append(time.perf_counter() - started)
    worker.join()
    return quiet, busy, took[0] if took else float("nan")


def median(values: list[float]) -> float:
    return float(np.median(values)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--page-runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["GOLD_DASHBOARD_OFFLINE"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = ledger_csv(folder / "ventas_10.csv", 10)
        big = ledger_csv(folder / f"ventas_{args.rows}.csv", args.rows)
        bomb = one_cell_bomb(folder / "una_celda.xlsx")
        prices = price_store(folder)
        print(f"files: 10 rows {small.stat().st_size:,} B, {args.rows:,} rows {big.stat().st_size:,} B, "
              f"one-cell workbook {bomb.stat().st_size:,} B")  # fmt: skip

        print("\n1-2. cli.py ledger import, a fresh process and store each (interleaved, twice)")
        figures: dict[str, list[tuple[float, float, str]]] = {"small": [], "big": [], "bomb": []}
        for round_ in range(2):
            for name, path in (("small", small), ("big", big), ("bomb", bomb)):
                figures[name].append(peak_rss_child(fresh_copy(prices, folder, f"{name}{round_}"), path))
        small_s, small_mb = median([f[0] for f in figures["small"]]), median([f[1] for f in figures["small"]])
        print(f"{'import':<28}{'seconds':>9}{'peak MB':>9}{'above small':>13}  result")
        for name, label in (
            ("small", "10 rows"),
            ("big", f"{args.rows:,} rows"),
            ("bomb", "134 KB, 140 MB cell"),
        ):
            seconds, peak = median([f[0] for f in figures[name]]), median([f[1] for f in figures[name]])
            print(f"{label:<28}{seconds:>9.2f}{peak:>9.0f}{peak - small_mb:>+13.0f}  {figures[name][-1][2]}")
        big_s = median([f[0] for f in figures["big"]])
        inner = {name: [in_process_import(fresh_copy(prices, folder, f"in{name}{r}"), path) for r in range(2)]
                 for name, path in (("small", small), ("big", big))}  # fmt: skip
        print(f"goal: peak at most +150 MB above the small import: "
              f"{max(median([f[1] for f in figures[n]]) for n in ('big', 'bomb')) - small_mb:+.0f} MB")  # fmt: skip
        print(f"goal: {args.rows:,} rows at most 10x the 10-row import: whole command {big_s / small_s:.1f}x "
              f"({big_s:.1f} s vs {small_s:.1f} s); import_ledger alone "
              f"{median(inner['big']) / median(inner['small']):.0f}x "
              f"({median(inner['big']):.2f} s vs {median(inner['small']):.3f} s)")  # fmt: skip

        print("\n3. a second session's page while the big import runs (one process, AppTest + a thread)")
        url = fresh_copy(prices, folder, "sessions")
        quiet, busy, took = second_session(url, big, args.page_runs)
        print(f"Overview rerun quiet: median {median(quiet):.2f} s; during the {took:.1f} s import: median "
              f"{median(busy):.2f} s, worst {max(busy):.2f} s over {len(busy)} reruns "
              f"(goal: served meanwhile, a few seconds)")  # fmt: skip

        print(f"\n4. pages of a cooperative with {args.rows:,} stored sales (AppTest, this process)")
        url = fresh_copy(prices, folder, "pages")
        subprocess.run(
            [sys.executable, "cli.py", "ledger", "import", str(big), "--cooperative", COOPERATIVE],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, check=True, capture_output=True,
        )  # fmt: skip
        for page in ("app_pages/sales.py", "app_pages/premiums.py"):
            times = page_times(url, page, max(2, args.page_runs))
            print(f"{page:<24} first open {times[0]:6.2f} s, warm {median(times[1:]):6.2f} s "
                  f"(goal: a few seconds)")  # fmt: skip
        print(
            f"this process's peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
