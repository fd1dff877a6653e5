"""Rounding the LP relaxation into a plan: a dive that fixes integers group by group.

The procurement MIP has a structure a generic solver does not see: rentals can always
cover a shortfall, purchases are large counts whose rounding costs little, and a few
binary choices (where and when a training run happens) decide most of the integrality
gap.  The dive follows that structure, in the order of the model's rounding groups
(:func:`planner.optimize.model.rounding_groups`):

1. *choose* groups (training runs, site expansions): each choice takes one option, the
   one given by the caller (the choice MIP's) or the one the LP uses most;
2. *nearest* groups (purchases, retirements): round to the nearest integer;
3. *up* groups (reserved and on-demand rentals, stacks): round up, always feasible.

Variables are fixed in chunks (half of those still fractional, closest to an integer
first) and the LP is re-solved after each chunk, so later decisions repair earlier
rounding.  A chunk that makes the LP infeasible is halved; a single variable that cannot
be rounded either way ends the dive without a plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from planner.domain.status import Termination
from planner.optimize.clock import Deadline
from planner.optimize.highs_model import HighsModel

EPS = 1e-6


@dataclass(frozen=True)
class Choice:
    """At most one of ``options`` (binaries) is 1; ``none`` is the variable that is 1 when
    none is (a training run left undone), or None when the choice row reads <= 1."""

    name: str
    options: tuple
    none: object | None = None


@dataclass(frozen=True)
class Group:
    name: str
    rule: str                      # "choose" | "nearest" | "up"
    variables: tuple = ()
    choices: tuple[Choice, ...] = field(default_factory=tuple)


class DiveFailed(Exception):
    """The dive cannot go on: why, for the progress log."""


def _pick_order(hm: HighsModel, choice: Choice, x: np.ndarray) -> list[int]:
    """Options by LP value, largest first; -1 stands for "none"."""
    cols = hm.cols(choice.options)
    values = {k: x[c] for k, c in enumerate(cols)}
    values[-1] = x[hm.index[choice.none.name]] if choice.none is not None and \
        choice.none.name in hm.index else 1.0 - sum(values.values())
    return sorted(values, key=lambda k: (-values[k], k))


def fix_choice(hm: HighsModel, choice: Choice, pick: int) -> None:
    """Option ``pick`` (or none, -1) set to 1, every other option to 0."""
    cols = hm.cols(choice.options)
    values = np.zeros(len(cols))
    if pick >= 0:
        values[pick] = 1.0
    hm.fix(cols, values)


def _choose(hm: HighsModel, choice: Choice, preferred: int | None, deadline: Deadline) -> None:
    order = _pick_order(hm, choice, hm.values())
    if preferred is not None:
        order = [preferred] + [k for k in order if k != preferred]
    status = "no option"
    # the four options the LP uses most, then "none" (a run left undone, priced), which
    # the other choices fixed before cannot make infeasible: many runs competing for the
    # same chips must not end the dive
    for pick in order[:4] + ([-1] if -1 not in order[:4] else []):
        fix_choice(hm, choice, pick)
        status = hm.solve(deadline.left())
        if status == Termination.OPTIMAL:
            return
        if status != Termination.INFEASIBLE:
            break
    raise DiveFailed(f"choice '{choice.name}': {status}")


def _round(hm: HighsModel, cols: np.ndarray, up: bool, deadline: Deadline, share: float = 0.5) -> None:
    done = np.zeros(len(cols), bool)
    while True:
        x = hm.values()[cols]
        nearest = np.round(x)
        fractional = (np.abs(x - nearest) > EPS) & ~done
        settled = ~fractional & ~done
        hm.fix(cols[settled], nearest[settled])
        done |= settled
        if not fractional.any():
            return
        idx = np.flatnonzero(fractional)
        target = np.ceil(x[idx] - EPS) if up else nearest[idx]
        order = np.argsort(np.abs(target - x[idx]), kind="stable")
        k = max(1, math.ceil(share * len(idx)))
        while True:
            if deadline.left() <= 0:
                raise DiveFailed("out of time")
            pick, values = idx[order[:k]], target[order[:k]]
            hm.fix(cols[pick], values)
            status = hm.solve(deadline.left())
            if status == Termination.OPTIMAL:
                done[pick] = True
                break
            hm.restore_bounds(cols[pick])
            if status != Termination.INFEASIBLE:
                raise DiveFailed(f"LP {status} while rounding")
            if k > 1:
                k //= 2
                continue
            i, value = pick[0], values[0]
            other = math.floor(x[i]) if value > x[i] else math.ceil(x[i])
            hm.fix(cols[[i]], [other])
            status = hm.solve(deadline.left())
            if status != Termination.OPTIMAL:
                hm.restore_bounds(cols[[i]])
                raise DiveFailed(f"{hm.variables[cols[i]].name} fits neither way ({status})")
            done[i] = True
            break


def dive(hm: HighsModel, groups: list[Group], preferred: dict[str, int],
         deadline: Deadline) -> tuple[np.ndarray | None, str]:
    """From the LP optimum held in ``hm``, an integer-feasible solution (or None) and,
    when there is none, why.

    ``preferred`` maps a choice's name to the option to try first.  Leaves the fixed
    bounds in place; the caller restores them.
    """
    grouped: set[int] = set()
    try:
        for group in groups:
            if group.rule == "choose":
                for choice in group.choices:
                    grouped.update(hm.cols(choice.options).tolist())
                    _choose(hm, choice, preferred.get(choice.name), deadline)
                continue
            cols = hm.cols(group.variables)
            grouped.update(cols.tolist())
            _round(hm, cols, group.rule == "up", deadline)
        rest = np.array([c for c in np.flatnonzero(hm.integer) if c not in grouped], np.int32)
        if len(rest):
            _round(hm, rest, False, deadline)
    except DiveFailed as why:
        return None, str(why)
    return hm.values(), ""
