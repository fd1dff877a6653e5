"""The ledger's tables are derived from the record classes their rows hold
(planner.ledger.schema.RECORDS); the derived schema must stay the one ledgers of schema
version 1 were written with, or old ledgers would be misread."""

from __future__ import annotations

import dataclasses

from planner.ledger.schema import RECORDS, SCHEMA_VERSION, TABLES

#: The version-1 columns, as ledgers on disk have them (written out by hand).
VERSION_1 = {
    "purchases": ("chip TEXT", "site TEXT", "quarter_ordered TEXT", "quarter_delivered TEXT",
                  "quantity INTEGER", "unit_price_usd REAL", "total_usd REAL"),
    "rentals": ("chip TEXT", "quarter TEXT", "kind TEXT", "term_quarters INTEGER",
                "quantity INTEGER", "price_usd_per_chip_hour REAL", "total_usd REAL"),
    "retirements": ("chip TEXT", "site TEXT", "vintage TEXT", "quarter TEXT",
                    "quantity INTEGER", "resale_usd_per_chip REAL", "total_usd REAL"),
    "expansions": ("site TEXT", "name TEXT", "quarter_ordered TEXT", "quarter_available TEXT",
                   "extra_kw REAL", "cost_usd REAL"),
    "demand": ("workload TEXT", "quarter TEXT", "tokens_per_day REAL"),
    "chip_prices": ("chip TEXT", "purchase_usd_per_chip REAL", "rent_usd_per_chip_hour REAL",
                    "price_decline_per_quarter REAL", "reserved_1y_discount REAL",
                    "reserved_3y_discount REAL", "lead_time_quarters INTEGER",
                    "available_from TEXT", "available_until TEXT"),
    "site_power": ("site TEXT", "quarter TEXT", "power_cap_kw REAL",
                   "electricity_usd_per_kwh REAL"),
    "existing": ("chip TEXT", "site TEXT", "quantity INTEGER", "bought TEXT", "source TEXT"),
    "actuals": ("kind TEXT", "quarter TEXT", "chip TEXT", "site TEXT", "workload TEXT",
                "quantity INTEGER", "tokens_per_day REAL"),
}


def test_the_derived_tables_are_the_version_1_schema():
    assert SCHEMA_VERSION == 1
    assert TABLES == VERSION_1


def test_every_column_is_a_field_of_the_record_class():
    for table, cls in RECORDS.items():
        assert [c.split()[0] for c in TABLES[table]] == [f.name for f in dataclasses.fields(cls)]
