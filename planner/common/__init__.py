"""Neutral helpers every layer may use (the floor under io, perf, forecast, report,
scenarios and ledger): writing files atomically.  They import only the domain's errors."""
