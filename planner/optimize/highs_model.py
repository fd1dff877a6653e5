"""A PuLP problem as an in-memory HiGHS model that can be re-solved as bounds change.

The structured solve (:mod:`planner.optimize.strategy`) solves many linear programs on
one model: the relaxation, one per training-run option, one per rounding step.  PuLP
rebuilds the solver model on every ``solve``; this keeps one ``highspy.Highs`` alive, so
each re-solve starts from the previous basis (dual simplex warm start).

The matrix is passed row-wise in one call (PuLP's own HiGHS interface adds one column and
one row at a time, which is slow on large models).

Scaling: HiGHS sees the objective in thousands of dollars (:data:`COST_SCALE`) and every
row whose right-hand side is above 10^6 (the budgets, in dollars) divided by its largest
coefficient, so costs and right-hand sides stay in the ranges its tolerances are made
for; plans are unchanged (the same problem, in other units) and every figure read back
is in dollars.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time

import numpy as np
import pulp

from planner.domain.status import Termination
from planner.optimize.clock import current

INF = math.inf
COST_SCALE = 1e-3     # HiGHS's objective unit: thousands of dollars
_GRACE_S = 0.1         # a solve past its time limit by this much is interrupted
_BIG_RHS = 1e6         # rows with a larger right-hand side are divided by their largest coefficient


def _highspy():
    import highspy  # imported on first use: the CBC path never needs it

    return highspy


class HighsModel:
    """One HiGHS instance over the columns of a PuLP problem, in ``prob.variables()`` order."""

    def __init__(self, prob: pulp.LpProblem) -> None:
        hs = _highspy()
        self.prob = prob
        self.variables = prob.variables()
        self.index = {var.name: i for i, var in enumerate(self.variables)}
        n = len(self.variables)
        self.lower = np.array([-INF if v.lowBound is None else v.lowBound for v in self.variables], float)
        self.upper = np.array([INF if v.upBound is None else v.upBound for v in self.variables], float)
        self.integer = np.array([v.cat == pulp.LpInteger for v in self.variables], bool)
        lp = hs.HighsLp()
        lp.num_col_, lp.num_row_ = n, 0
        self.cost_usd = np.array([prob.objective.get(v, 0.0) for v in self.variables], float)
        self.offset_usd = float(prob.objective.constant)
        lp.col_cost_ = self.cost_usd * COST_SCALE
        lp.offset_ = self.offset_usd * COST_SCALE
        lp.col_lower_, lp.col_upper_ = self.lower, self.upper
        starts, cols, values, row_lo, row_up = [0], [], [], [], []
        for con in _constraints(prob):
            row = [(self.index[var.name], coef) for var, coef in con.items() if coef != 0]
            lo, up = con.getLb(), con.getUb()
            lo, up = -INF if lo is None else lo, INF if up is None else up
            factor = _row_factor(row, lo, up)
            cols += [c for c, _ in row]
            values += [coef * factor for _, coef in row]
            starts.append(len(cols))
            row_lo.append(lo * factor)
            row_up.append(up * factor)
        lp.num_row_ = len(row_lo)
        lp.row_lower_, lp.row_upper_ = np.array(row_lo, float), np.array(row_up, float)
        lp.a_matrix_.format_ = hs.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, lp.num_row_
        lp.a_matrix_.start_ = np.array(starts, np.int32)
        lp.a_matrix_.index_ = np.array(cols, np.int32)
        lp.a_matrix_.value_ = np.array(values, float)
        self.highs = hs.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", 1)
        self.highs.passModel(lp)
        self.stop_at = INF
        for hook in (self.highs.cbSimplexInterrupt, self.highs.cbIpmInterrupt,
                     self.highs.cbMipInterrupt):
            hook.subscribe(self._interrupt)

    # -- columns ------------------------------------------------------------------
    def cols(self, variables) -> np.ndarray:
        """Column positions of ``variables`` (those the problem does not use are skipped)."""
        return np.array([self.index[v.name] for v in variables if v.name in self.index], np.int32)

    def set_bounds(self, cols: np.ndarray, lower, upper) -> None:
        if len(cols):
            lo = np.broadcast_to(np.asarray(lower, float), cols.shape).copy()
            up = np.broadcast_to(np.asarray(upper, float), cols.shape).copy()
            self.highs.changeColsBounds(len(cols), cols, lo, up)

    def fix(self, cols: np.ndarray, values) -> None:
        self.set_bounds(cols, values, values)

    def restore_bounds(self, cols: np.ndarray) -> None:
        self.set_bounds(cols, self.lower[cols], self.upper[cols])

    def set_integrality(self, integer: bool) -> None:
        cols = np.flatnonzero(self.integer).astype(np.int32)
        if len(cols):
            kind = 1 if integer else 0  # HighsVarType kInteger / kContinuous
            self.highs.changeColsIntegrality(len(cols), cols, np.full(len(cols), kind, np.uint8))

    # -- solving ------------------------------------------------------------------
    def solve(self, time_limit_s: float, mip_gap: float | None = None, method: str = "choose",
              presolve: bool = False) -> Termination:
        """Run HiGHS; returns 'optimal', 'infeasible', 'unbounded', 'time_limit' or 'error'.

        ``method`` is HiGHS's ``solver`` option ("ipm" for a large first relaxation,
        "choose" otherwise).  Presolve is off by default: the re-solves after a bound
        change start from the previous basis and are about 20% faster without it (bench
        M); the first relaxation and the MIP ask for it.  A solve that ends in numerical
        trouble from a warm start is tried once more from scratch.
        """
        self.highs.setOptionValue("solver", method)
        self.highs.setOptionValue("presolve", "choose" if presolve else "off")
        if mip_gap is not None:
            self.highs.setOptionValue("mip_rel_gap", float(mip_gap))
        status = self._run(time_limit_s)
        if status == Termination.ERROR:
            self.highs.clearSolver()
            status = self._run(time_limit_s)
        return status

    def _run(self, time_limit_s: float) -> Termination:
        self._limit(time_limit_s)
        self.stop_at = time.perf_counter() + max(float(time_limit_s), 0.01) + _GRACE_S
        self.highs.run()
        return self._status()

    def _limit(self, seconds: float) -> None:
        """HiGHS's ``time_limit`` counts from the instance's creation (its run time adds
        up over every solve), so a limit of ``seconds`` from now is that run time plus
        ``seconds``."""
        self.highs.setOptionValue(Termination.TIME_LIMIT, self.highs.getRunTime() + max(float(seconds), 0.01))

    def _status(self) -> Termination:
        hs = _highspy()
        return {hs.HighsModelStatus.kOptimal: Termination.OPTIMAL,
                hs.HighsModelStatus.kInfeasible: Termination.INFEASIBLE,
                hs.HighsModelStatus.kUnboundedOrInfeasible: Termination.INFEASIBLE,
                hs.HighsModelStatus.kUnbounded: Termination.UNBOUNDED,
                hs.HighsModelStatus.kTimeLimit: Termination.TIME_LIMIT,
                hs.HighsModelStatus.kInterrupt: Termination.TIME_LIMIT,
                hs.HighsModelStatus.kIterationLimit: Termination.TIME_LIMIT,
                }.get(self.highs.getModelStatus(), Termination.ERROR)

    def solve_mip(self, end: float, mip_gap: float) -> Termination:
        """HiGHS's branch-and-bound until ``end`` (a ``time.perf_counter`` time).

        HiGHS checks its time limit only between some of its steps.  Two root-node
        heuristics run unchecked and are switched off (the structured solve offers a plan
        already): feasibility jump (seconds on bench M; on bench M with eight training runs
        a 41 s stage ran 186 s) and the root reduced-cost heuristic (on bench M-T4 a 9 s
        stage ran 56 s inside ``HighsPrimalHeuristics::rootReducedCost``, seen with gdb,
        without one interrupt callback).  The interrupt callback (:meth:`_interrupt`) stops
        the rest at ``end``.
        """
        h = self.highs
        h.setOptionValue("solver", "choose")
        h.setOptionValue("presolve", "choose")
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
        h.setOptionValue("mip_heuristic_run_root_reduced_cost", False)
        return self._run(end - time.perf_counter())

    def solve_mip_apart(self, end: float, mip_gap: float, grace_s: float = 1.0
                        ) -> tuple[Termination, np.ndarray | None, float | None]:
        """:meth:`solve_mip` in a forked child process, which is killed if it is still
        running ``grace_s`` after ``end``: (termination, the best plan found or None,
        HiGHS's bound in dollars or None).

        HiGHS's root node runs heuristics that check neither the time limit nor the
        interrupt callback (on bench M-T8 with a 120 s limit, linesearch rounding inside
        ``evaluateRootNode`` ran past 7 minutes), so only a process that can be killed
        keeps the limit.  The child is a fork: it starts from this model, basis and
        incumbent as they are, and sends each improving plan with HiGHS's bound at that
        moment (a valid bound), so a killed child still gives what it found.  Ctrl-C
        reaches the child too (same process group) and stops it at its next check; the
        parent then waits ``grace_s`` at most.
        """
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=self._mip_child, args=(end, mip_gap, send), daemon=True)
        child.start()
        send.close()
        cutoff = end + grace_s
        result: tuple = (Termination.TIME_LIMIT, None, None)
        try:
            while time.perf_counter() < cutoff:
                if receive.poll(0.1):
                    kind, *message = receive.recv()
                    if kind == "done":
                        result = (message[0], message[1] if message[1] is not None else result[1],
                                  message[2] if message[2] is not None else result[2])
                        break
                    result = (Termination.TIME_LIMIT, *message)  # an improving plan
                run = current()
                if run is not None and run.interrupted:
                    cutoff = min(cutoff, time.perf_counter() + grace_s)
        except (EOFError, OSError):  # the child died: keep what it sent
            pass
        finally:
            if child.is_alive():
                child.kill()
            child.join(1.0)
            receive.close()
        return result

    def _mip_child(self, end: float, mip_gap: float, send) -> None:
        def improved(event) -> None:
            bound = float(event.data_out.mip_dual_bound)
            send.send(("plan", np.array(event.data_out.mip_solution, float),
                       bound / COST_SCALE if abs(bound) < 1e30 else None))

        try:
            self.highs.cbMipImprovingSolution.subscribe(improved)
            status = self.solve_mip(end, mip_gap)
            send.send(("done", status, self.values() if self.has_primal() else None,
                       self.mip_bound()))
        except BaseException:  # noqa: BLE001 - the parent must hear back, whatever happened
            send.send(("done", Termination.ERROR, None, None))
        finally:
            send.close()
            os._exit(0)

    def _interrupt(self, event) -> None:
        """Called by HiGHS at its simplex, IPM and MIP checkpoints: stop once the current
        solve's end has passed (the ``time_limit`` option alone is not always checked) or
        the run was interrupted (Ctrl-C, :mod:`planner.runtime`).
        The flag is written every time: HiGHS keeps it from one solve to the next."""
        run = current()
        event.interrupt(time.perf_counter() > self.stop_at or (run is not None and run.interrupted))

    def objective(self) -> float:
        """The last solve's objective in dollars."""
        return float(self.highs.getInfo().objective_function_value) / COST_SCALE

    def values(self) -> np.ndarray:
        return np.array(self.highs.getSolution().col_value, float)

    def has_primal(self) -> bool:
        return bool(self.highs.getSolution().value_valid)

    def mip_bound(self) -> float | None:
        bound = getattr(self.highs.getInfo(), "mip_dual_bound", None)
        return float(bound) / COST_SCALE if bound is not None and abs(bound) < 1e30 else None

    def start_from(self, values: np.ndarray) -> None:
        """Offer ``values`` to the MIP solver as its first incumbent."""
        sol = _highspy().HighsSolution()
        sol.col_value = list(values)
        sol.value_valid = True
        self.highs.setSolution(sol)

    def cost(self, values: np.ndarray) -> float:
        """The objective of ``values`` in dollars."""
        return float(np.dot(self.cost_usd, values) + self.offset_usd)

    def write_back(self, values: np.ndarray) -> None:
        """Give every PuLP variable its value, integers rounded exactly and continuous
        values within 1e-9 of zero (simplex round-off, far below the feasibility tolerance)
        set to zero, so a plan that meets all demand reports exactly none unmet."""
        for var, x, is_int in zip(self.variables, values, self.integer):
            var.varValue = float(round(x)) if is_int else 0.0 if abs(x) < 1e-9 else float(x)


def _row_factor(row: list, lo: float, up: float) -> float:
    """1, or 1 / the row's largest coefficient when its right-hand side exceeds 10^6."""
    rhs = max([abs(b) for b in (lo, up) if math.isfinite(b)], default=0.0)
    biggest = max((abs(coef) for _, coef in row), default=0.0)
    return 1.0 / biggest if rhs > _BIG_RHS and biggest > 1.0 else 1.0


def _constraints(prob: pulp.LpProblem):
    cons = prob.constraints
    return cons() if callable(cons) else list(cons.values())
