"""Which model x run date combinations a sweep plans (pure)."""

from __future__ import annotations

import pytest

from benchcrawl.exceptions import ConfigError
from benchcrawl.inferencex.plan import dates_by_model, display_of, parse_history, plan

LABELS = ["DeepSeek-R1-0528", "Kimi-K2.5", "NewModel-9"]
AVAILABILITY = [
    {"model": "dsr1", "date": "2026-01-02"},
    {"model": "dsr1", "date": "2026-01-01"},
    {"model": "dsr1", "date": "2026-01-02"},  # one entry per configuration: dates repeat
    {"model": "kimik2.5", "date": "2026-01-01"},
    {"model": "kimik2.6", "date": "2026-01-05"},  # a second key of the same display name
    {"model": "newmodel9", "date": "2026-01-04"},  # unknown key, same letters as a label
    {"model": "llama70b", "date": "2025-10-19"},  # a model the control does not offer
]


def test_dates_are_grouped_by_the_model_control_label():
    assert dates_by_model(LABELS, AVAILABILITY) == {
        "DeepSeek-R1-0528": ["2026-01-01", "2026-01-02"],
        "Kimi-K2.5": ["2026-01-01", "2026-01-05"],
        "NewModel-9": ["2026-01-04"],
    }


def test_a_key_of_no_offered_label_belongs_to_none():
    assert display_of("llama70b", LABELS) is None
    assert display_of("kimik2.6", LABELS) == "Kimi-K2.5"


DATES = {"A": ["2026-01-01", "2026-01-03", "2026-01-05"], "B": ["2026-01-02"], "C": []}


def test_daily_without_history_is_each_newest():
    assert plan(DATES) == [("A", "2026-01-05"), ("B", "2026-01-02"), ("C", "")]


def test_daily_after_a_backfill_adds_only_dates_never_loaded():
    collected = {"A": {"2026-01-01", "2026-01-03"}, "B": {"2026-01-02"}}
    dates = {**DATES, "A": [*DATES["A"], "2026-01-07"]}
    assert plan(dates, collected=collected) == [
        ("A", "2026-01-05"),
        ("A", "2026-01-07"),
        ("B", "2026-01-02"),
        ("C", ""),
    ]


def test_daily_never_reaches_back_before_the_first_collected_date():
    assert plan({"A": DATES["A"]}, collected={"A": {"2026-01-03"}}) == [("A", "2026-01-05")]


def test_history_all_is_every_date_and_since_from_then_on_with_each_newest():
    assert len(plan(DATES, history=True)) == 5
    assert plan(DATES, since="2026-01-03") == [
        ("A", "2026-01-03"),
        ("A", "2026-01-05"),
        ("B", "2026-01-02"),
        ("C", ""),
    ]


@pytest.mark.parametrize(
    ("history", "since", "message"),
    [
        ("yes", None, "-a history accepts only 'all', got 'yes'."),
        (None, "2026-13-01", "-a since must be a date like 2026-01-31, got '2026-13-01'."),
        (None, "20260101", "-a since must be a date like 2026-01-31, got '20260101'."),
    ],
)
def test_bad_arguments_are_one_sentence(history, since, message):
    with pytest.raises(ConfigError) as e:
        parse_history(history, since)
    assert str(e.value) == message


def test_arguments():
    assert parse_history(None, None) == (False, None)
    assert parse_history("all", None) == (True, None)
    assert parse_history(None, "2026-01-02") == (False, "2026-01-02")
