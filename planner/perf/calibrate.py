"""Fit achieved efficiencies to published results: ``python -m planner.perf.calibrate``.

Writes ``planner/data/calibration.csv`` (read by the performance model) and
``docs/calibration.md`` (every point's modelled, measured and error, in-sample and
leave-one-out, by chip family, model, round and stack, and the software-maturity
forecast check).  Deterministic: same inputs, same files.  The model and the fit are in
:mod:`planner.perf.calibration_fit`; the runs (fit, leave-one-out, forecast) in
:mod:`planner.perf.calibration_report`.
"""

from __future__ import annotations

import argparse

from planner.perf.calibration_report import run, write_csv, write_doc
from planner.perf.catalog import DATA_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/calibration.md")
    args = parser.parse_args(argv)
    rep = run()
    write_csv(rep, DATA_DIR / "calibration.csv")
    print(write_doc(rep, write=not args.no_doc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
