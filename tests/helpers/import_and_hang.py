"""Child process of the kill test: start an import, and hang inside its transaction after the first row
insert, announcing it through a marker file, so the parent can kill it mid-transaction.

    python tests/helpers/import_and_hang.py DATABASE_URL ledger|prices FILE MARKER
"""

import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from data.ledger import OPERATOR  # noqa: E402
from data.market.market_data import import_prices  # noqa: E402
from data.store import MarketStore  # noqa: E402
from services.sales import import_ledger  # noqa: E402

url, kind, file_name, marker = sys.argv[1:5]
table = "sales" if kind == "ledger" else "prices"


@event.listens_for(Engine, "after_cursor_execute")
def hang_after_the_rows_are_written(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
        Path(marker).write_text("inside the transaction")
        time.sleep(600)  # the parent kills us here


store = MarketStore.from_url(url)
content = Path(file_name).read_bytes()
if kind == "ledger":
    import_ledger(store, OPERATOR, content, Path(file_name).name, cooperative="Cooperativa Kill")
else:
    import_prices(store, content, Path(file_name).name)
print("the import finished: the hook never fired", file=sys.stderr)
sys.exit(3)
