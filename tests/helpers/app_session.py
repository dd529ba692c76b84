"""One dashboard session in a process of its own, for the tests of what crosses processes.

Reads JSON commands on stdin, one per line, and answers each with one JSON line on stdout:
["run"] reruns the current page; ["page", PATH] switches page; ["import_prices", FILE] and
["import_ledger", FILE] write through the same data functions the pages call.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from data.ledger import OPERATOR  # noqa: E402
from data.market.market_data import import_prices  # noqa: E402
from data.store import MarketStore  # noqa: E402
from services.sales import import_ledger  # noqa: E402


def seen(at: AppTest) -> dict:
    """What a user reads that tells which data the session shows."""
    frames = [element.value for element in at.dataframe]
    freshness = frames[-1] if frames else None  # on the Overview: the data-freshness table
    return {
        "exception": [str(e.value) for e in at.exception],
        "warnings": [w.value for w in at.warning],
        "captions": [c.value for c in at.caption],
        "freshness": [] if freshness is None else [" ".join(map(str, row)) for row in freshness.to_numpy()],
        "sales_rows": len(frames[0]) if frames else 0,
    }


def main() -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=120)
    store = MarketStore.from_url()
    for line in sys.stdin:
        command, *args = json.loads(line)
        if command == "run":
            answer = seen(at.run())
        elif command == "page":
            at.switch_page(args[0])
            answer = seen(at.run())
        elif command == "import_prices":
            path = Path(args[0])
            answer = import_prices(store, path.read_bytes(), path.name)
        elif command == "import_ledger":
            path = Path(args[0])
            answer = import_ledger(store, OPERATOR, path.read_bytes(), path.name, cooperative="Coop Test")
        else:
            answer = {"error": f"unknown command {command!r}"}
        print(json.dumps(answer, default=str), flush=True)


if __name__ == "__main__":
    main()
