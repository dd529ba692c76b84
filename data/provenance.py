"""Which source a stored value came from: the observation's own `source` column, for the dates a view used.

I/O only (one small query); no computation.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, or_, select

from data.store import MarketStore, observations_table


def observation_sources(store: MarketStore, used: dict[str, pd.Timestamp]) -> dict[str, str]:
    """{series_id: source} of the observation stored for each (series_id, date) in `used`."""
    if not used:
        return {}
    table = observations_table
    wanted = [
        and_(table.c.series_id == series_id, table.c.date == pd.Timestamp(day).date())
        for series_id, day in used.items()
    ]
    with store.engine.connect() as conn:
        rows = conn.execute(select(table.c.series_id, table.c.source).where(or_(*wanted))).all()
    return {str(series_id): str(source) for series_id, source in rows}
