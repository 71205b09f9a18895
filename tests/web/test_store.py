"""The shared database's store, on SQLite: counts add up per school and days past keeping are dropped."""

from __future__ import annotations

from datetime import date, timedelta

from bot.web.store import Database


def test_counts_add_per_school_and_days_past_keeping_are_dropped(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'bot.db'}")
    green, hill = database.store("green-lane"), database.store("hill-top")
    today = date(2026, 11, 30)
    green.record({"answered": True}, today - timedelta(days=500))
    for _ in range(2):
        green.record({"answered": True}, today)
    hill.record({"answered": False, "urgent": True}, today)
    assert green.coverage_days() == [{"day": "2026-11-30", "asked": 2, "answered": 2, "not_covered": 0,
                                      "no_procedure": 0, "urgent": 0}]
    assert hill.coverage_days()[0]["urgent"] == 1 and hill.coverage_days()[0]["answered"] == 0
