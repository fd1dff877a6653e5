"""Running many independent solves at once: local processes, or a Dask cluster.

Both go through a :class:`concurrent.futures.Executor`: a ``ProcessPoolExecutor`` with
``workers`` processes (one runs in this process), or a Dask ``Client(address)``'s
executor, so the code path is the same whether the solves run here or on a cluster (a
``LocalCluster`` in the tests).  Outcomes come back in the order the jobs were given; a
job that fails (an exception, a worker lost) is an outcome with status ``error``, not an exception.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from planner.domain import PlannerError
from planner.domain.estimates import Estimates
from planner.domain.status import Status, Termination
from planner.scenarios.jobs import Job, Outcome, run_job

CLUSTER_HINT = "install the cluster extra: pip install -e '.[cluster]'"


class InlineExecutor(cf.Executor):
    """Runs each job in this process when it is submitted (``--workers 1``)."""

    def submit(self, fn, /, *args, **kwargs):
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller via the future
            future.set_exception(exc)
        return future


def default_workers() -> int:
    return os.cpu_count() or 1


@contextmanager
def executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[cf.Executor]:
    """The executor the solves run on; closed (cluster client disconnected) afterwards."""
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise PlannerError(f"--scheduler needs dask.distributed: {CLUSTER_HINT}") from None
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise PlannerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
        return
    n = default_workers() if workers is None else workers
    if n < 1:
        raise PlannerError(f"--workers must be at least 1, got {n}")
    if n == 1:
        yield InlineExecutor()
        return
    with cf.ProcessPoolExecutor(max_workers=n) as pool:
        yield pool


def _failed(job: Job, exc: BaseException) -> Outcome:
    return Outcome(job.key, job.kind, job.scenario.name, job.plan_from, job.scenario.describe(),
                   Status.ERROR, Termination.ERROR, f"{type(exc).__name__}: {exc}")


def _line(done: int, total: int, out: Outcome, failed: int) -> str:
    if out.costs is not None:
        cost = f" {out.costs.describe()}"
    else:
        cost = (f" objective (cost + penalties) ${out.objective_usd:,.0f}"
                if out.objective_usd is not None else "")
    return (f"[{done}/{total}] {out.key}: {out.status}{cost} in {out.wall_seconds:.1f} s; "
            f"{total - done} running or queued, {failed} failed")


def run_jobs(jobs: Sequence[Job], pool: cf.Executor,
             progress: Callable[[str], None] = lambda _m: None,
             estimates: Estimates | None = None) -> list[Outcome]:
    """Run every job on ``pool``; one progress line per finished solve.  ``estimates``
    (the base input's) replace the performance core's for every job (tests)."""
    if estimates is not None:
        jobs = [dataclasses.replace(j, estimates=estimates) for j in jobs]
    outcomes: list[Outcome | None] = [None] * len(jobs)
    failed = 0
    for done, (i, future) in enumerate(_finished(jobs, pool), start=1):
        try:
            out = future.result()
        except Exception as exc:  # noqa: BLE001 - a lost worker fails its job only
            out = _failed(jobs[i], exc)
        outcomes[i] = out
        failed += not out.has_plan
        progress(_line(done, len(jobs), out, failed))
    return [o for o in outcomes if o is not None]


def _finished(jobs: Sequence[Job], pool: cf.Executor) -> Iterator[tuple[int, cf.Future]]:
    """(job index, future) as each job finishes; in this process, one at a time, so that
    progress shows as it goes."""
    if isinstance(pool, InlineExecutor):
        for i, job in enumerate(jobs):
            yield i, pool.submit(run_job, job)
        return
    futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
    for future in cf.as_completed(futures):
        yield futures[future], future
