"""trend_table across versions: one row per version and GPU, the moves it shows."""

from __future__ import annotations

from benchcrawl.products.load import read_table
from benchcrawl.products.trend import match_model, sequence_value, trend_table


def test_trend_follows_the_changed_gpu_across_versions(two_versions):
    _, first, second = two_versions
    frames = [(v.name, read_table(v, "merged")) for v in (first, second)]
    model = match_model("GPT-OSS 120b", frames[0][1]["model_name"].unique())
    assert model == "gpt-oss 120B"
    trend = trend_table(frames, model, sequence_value("1K / 1K"))
    assert set(trend["version"]) == {first.name, second.name}
    per_version = trend.groupby("version")["configurations"].sum()
    assert per_version[second.name] - per_version[first.name] == 2 - 3  # added - removed
    assert trend["swept_at"].iloc[0] == "2025-10-25T00:00:00+00:00"
    hw = trend.groupby("hwKey")["version"].nunique()
    one = trend_table(frames, model, "1k-1k", hwkey=hw.index[0])
    assert set(one["hwKey"]) == {hw.index[0]}
    assert trend_table(frames, model, "9k-9k").empty
