"""Once per period across every process: claim a scheduled job's run with a primary-key insert.

APScheduler keeps its jobs in memory, one scheduler per process, so a deployment with several
instances fires the weekly job in each. The database decides which one runs it: the first insert of
(job, period) wins; the others hit the key and skip.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import JobRun


def claim_run(db: Database, job: str, period: str, now: datetime, claimed_by: str) -> bool:
    """True for the one caller that claims (job, period) first; False for every later one."""
    try:
        with db.transaction() as session:
            session.add(JobRun(job=job, period=period, claimed_at=now, claimed_by=claimed_by))
    except IntegrityError:
        return False
    return True
