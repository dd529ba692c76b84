"""A timer job started on several hosts at once runs once: the lease in the store (data/store/jobs.py), on both
stores, under real concurrency (threads, and two CLI processes)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from data.store import job_leases_table
from data.store.jobs import job_lease, release_lease, take_lease
from tests.test_cli import cli


@pytest.mark.both_stores
def test_of_eight_hosts_starting_at_once_one_gets_the_job(store):
    barrier, winners = threading.Barrier(8), []

    def host(index: int) -> None:
        barrier.wait()
        if take_lease(store, "prices_refresh", f"host{index}"):
            winners.append(index)

    threads = [threading.Thread(target=host, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
    with store.engine.connect() as conn:
        holder = conn.scalar(select(job_leases_table.c.holder))
    assert holder == f"host{winners[0]}"
    assert not take_lease(store, "prices_refresh", "late")
    assert take_lease(store, "alerts_run", "late")  # another job is another lease
    release_lease(store, "prices_refresh", f"host{winners[0]}")
    assert take_lease(store, "prices_refresh", "late")


@pytest.mark.both_stores
def test_a_lease_left_by_a_dead_host_ends_by_itself(store):
    assert take_lease(store, "alerts_run", "crashed", timedelta(minutes=30))
    with store.engine.begin() as conn:  # the crashed host's lease ran out a second ago
        conn.execute(update(job_leases_table).values(until=datetime.now(UTC) - timedelta(seconds=1)))
    assert take_lease(store, "alerts_run", "next")
    with job_lease(store, "other") as mine:
        assert mine
        with job_lease(store, "other") as second:
            assert not second
    with job_lease(store, "other") as mine:  # freed when the first ended
        assert mine


@pytest.mark.both_stores
def test_the_timer_commands_step_aside_while_another_host_runs_them(db_url, store):
    assert take_lease(store, "prices_refresh", "other-host")
    assert take_lease(store, "alerts_run", "other-host")
    refresh = cli("prices", "refresh", "--source", "lbma", db_url=db_url)
    assert refresh.returncode == 0 and json.loads(refresh.stdout) == []
    assert "Otro proceso está actualizando" in refresh.stderr
    english = cli("prices", "refresh", "--source", "lbma", "--language", "en", db_url=db_url)
    assert "Another process is doing this right now" in english.stderr
    alerts = cli("alerts", "run", db_url=db_url)
    assert alerts.returncode == 0
    assert json.loads(alerts.stdout)["running_elsewhere"] is True
