"""The charts of a version (drawn at archive time with ARCHIVE_CHARTS=True): a PNG and an
SVG for every model x sequence x view, not empty, every GPU's series and frontier drawn,
and a gallery that shows them all."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from benchcrawl.products.charts import FORMATS, VIEWS, chart_name
from benchcrawl.products.load import read_table

from ._support import T0, archive


@pytest.fixture(scope="module")
def version(tmp_path_factory, files):
    data_dir = tmp_path_factory.mktemp("charts") / "data"
    status, detail, stats = archive(data_dir, files, T0, ARCHIVE_CHARTS=True)
    assert status == "succeeded", detail
    assert stats.get_value("inferencemax/products/seconds/charts") > 0
    return (data_dir / "latest").resolve()


def combos(version):
    merged = read_table(version, "merged")
    return list(merged[["model_name", "sequence_length"]].drop_duplicates().itertuples(index=False))


def test_every_model_sequence_and_view_has_a_png_and_an_svg(version):
    assert len(combos(version)) == 9
    expected = {
        f"{chart_name(m, s, view)}.{fmt}"
        for m, s in combos(version)
        for view in VIEWS
        for fmt in FORMATS
    }
    assert expected == {p.name for p in (version / "charts").iterdir()} - {"index.html"}


def test_the_pngs_are_drawn_not_blank(version):
    for m, s in combos(version):
        for view in VIEWS:
            image = Image.open(version / "charts" / f"{chart_name(m, s, view)}.png").convert("RGB")
            assert image.width >= 800 and image.height >= 400
            colours = image.getcolors(maxcolors=1 << 20)
            assert colours is not None
            background = max(colours)[1]
            inked = sum(n for n, c in colours if c != background)
            assert inked > 0.03 * image.width * image.height, (m, s, view)
            assert len(colours) > 200  # markers, lines and text in several colours


def test_each_svg_has_a_frontier_per_gpu_axes_with_units_and_a_legend(version):
    inter = read_table(version, "interactivity")
    for m, s in combos(version):
        rows = inter[(inter["model_name"] == m) & (inter["sequence_length"] == s)]
        hws = set(rows.loc[rows["tpPerGpu_roof"], "hwKey"])
        svg = version / "charts" / f"{chart_name(m, s, 'throughput-vs-interactivity')}.svg"
        text = svg.read_text()
        assert hws and hws <= set(re.findall(r'<g id="([^"]+)">', text)), (m, s)
        for label in ("Interactivity (tok/s/user)", "Token throughput per GPU (tok/s/gpu)"):
            assert f"<!-- {label} -->" in text
        for hw in set(rows["hwKey"]):
            assert f"<!-- {hw} -->" in text  # the legend names every GPU
    cost = version / "charts" / f"{chart_name(*combos(version)[0], 'cost-vs-interactivity')}.svg"
    text = cost.read_text()
    for label in ("Hyperscaler", "Neocloud", "3-year rental", "Cost per million tokens ($/M tok)"):
        assert f"<!-- {label} -->" in text
    e2e = version / "charts" / f"{chart_name(*combos(version)[0], 'throughput-vs-e2e-latency')}.svg"
    assert "<!-- End-to-end latency (s) -->" in e2e.read_text()


def test_the_gallery_shows_every_png(version):
    index = (version / "charts" / "index.html").read_text()
    shown = set(re.findall(r'<img src="([^"]+)"', index))
    assert shown == {p.name for p in (version / "charts").glob("*.png")}
    assert version.name in index
