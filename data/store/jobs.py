"""A lease per timer job, in the store, so the same job started on several hosts at once runs once.

Every host of a fleet runs the same timers (`prices refresh`, `alerts run`). A lease is one row per job
taken by a conditional write — insert it, or take it over once its time has run out — so it works the same
on SQLite and PostgreSQL, and a host that dies mid-job frees it when the lease ends. No job logic here.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from data.store import MarketStore, job_leases_table

#: Longer than any refresh or alert run takes; a lease left by a crashed host ends after it.
DEFAULT_LEASE = timedelta(minutes=30)


def _holder() -> str:
    """This process, named so an operator reading the table knows which host holds a job."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def take_lease(store: MarketStore, job: str, holder: str, lease: timedelta = DEFAULT_LEASE) -> bool:
    """True when this holder now has the job: no lease yet, or the last one ran out."""
    now = datetime.now(UTC)
    table = job_leases_table
    with store.engine.begin() as conn:
        taken = conn.execute(
            update(table)
            .where(table.c.job == job, table.c.until < now)
            .values(holder=holder, until=now + lease)
        ).rowcount
    if taken:
        return True
    try:
        with store.engine.begin() as conn:
            conn.execute(insert(table).values(job=job, holder=holder, until=now + lease))
    except IntegrityError:  # another host holds a lease that has not run out
        return False
    return True


def release_lease(store: MarketStore, job: str, holder: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            delete(job_leases_table).where(job_leases_table.c.job == job, job_leases_table.c.holder == holder)
        )


@contextmanager
def job_lease(store: MarketStore, job: str, lease: timedelta = DEFAULT_LEASE) -> Iterator[bool]:
    """`with job_lease(store, "alerts_run") as mine:` — run the job only when `mine`; freed afterwards."""
    holder = _holder()
    mine = take_lease(store, job, holder, lease)
    try:
        yield mine
    finally:
        if mine:
            release_lease(store, job, holder)
