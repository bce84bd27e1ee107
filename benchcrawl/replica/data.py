"""Data for the local InferenceMAX replica: catalog, snapshot loading, synthetic data."""

from __future__ import annotations

import json
import logging
import math
import random
import re
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: (dropdown label, slug) pairs, in dropdown order.
CATALOG: dict[str, list[tuple[str, str]]] = {
    "models": [
        ("Llama 3.3 70B Instruct", "llama-3_3-70b-instruct-fp8"),
        ("gpt-oss 120B", "gpt-oss-120b"),
        ("DeepSeek R1 0528", "deepseek-r1-0528"),
    ],
    "sequences": [
        ("1K / 1K", "1k_1k"),
        ("1K / 8K", "1k_8k"),
        ("8K / 1K", "8k_1k"),
    ],
}
MODELS = CATALOG["models"]
SEQUENCES = CATALOG["sequences"]
DEFAULT_MODEL = "gpt-oss 120B"
DEFAULT_SEQUENCE = "1K / 1K"
KINDS = ("interactivity", "e2e")
DATA_PREFIX = "/data/inference-performance/"
KEY_ORDER = ("x", "y", "conc", "tp", "hwKey", "precision",
             "tpPerGpu", "tpPerMw", "costh", "costn", "costr")
Y_METRICS = ("tpPerGpu", "tpPerMw", "costh", "costn", "costr")

#: kW per GPU and $ per GPU-hour (hyperscaler, neocloud, 3-year rental).
HW_CONSTANTS: dict[str, tuple[float, float, float, float]] = {
    "h100": (1.73, 1.30, 1.69, 1.30),
    "h200": (1.73, 1.41, 1.74, 1.60),
    "b200": (2.17, 1.95, 2.34, 2.90),
    "gb200": (2.10, 2.21, 2.75, 3.30),
    "mi300x": (1.79, 1.12, 1.40, 1.55),
    "mi325x": (2.18, 1.28, 1.59, 1.80),
    "mi355x": (2.65, 1.48, 1.90, 2.10),
}
_FILE_RE = re.compile(
    r"^(?P<model>[a-z0-9_.-]+)-(?P<seq>\d+k_\d+k)-(?P<kind>interactivity|e2e)\.json$")


def file_name(model_slug: str, seq_slug: str, kind: str) -> str:
    """Data file name for one combination and kind."""
    return f"{model_slug}-{seq_slug}-{kind}.json"


def hw_constants(hw_key: str) -> tuple[float, float, float, float]:
    """(kW, $h, $n, $r) for a hwKey; framework variants (h200_trt, gb200_mtp) use the base GPU."""
    return HW_CONSTANTS[hw_key.split("_")[0]]


def default_snapshot_dir() -> Path | None:
    """`../shared/inferencemax/snapshots/2025-10-25` next to the repo root, if present."""
    root = Path(__file__).resolve().parents[2]
    path = root.parent / "shared" / "inferencemax" / "snapshots" / "2025-10-25"
    return path if path.is_dir() else None


def load_snapshot(directory: str | Path) -> dict[str, bytes]:
    """Read every `{model}-{seq}-{interactivity|e2e}.json` in `directory` as raw bytes."""
    directory = Path(directory)
    files = {p.name: p.read_bytes() for p in sorted(directory.iterdir())
             if p.is_file() and _FILE_RE.match(p.name)}
    logger.debug("loaded %d data files from %s", len(files), directory)
    return files


def page_catalog(files: dict[str, Any]) -> dict[str, Any]:
    """Catalog for the page: only models/sequences that have at least one data file."""
    models = [(lbl, s) for lbl, s in CATALOG["models"]
              if any(file_name(s, q, k) in files for _, q in CATALOG["sequences"] for k in KINDS)]
    seqs = [(lbl, q) for lbl, q in CATALOG["sequences"]
            if any(file_name(s, q, k) in files for _, s in CATALOG["models"] for k in KINDS)]
    default_model = DEFAULT_MODEL if any(m == DEFAULT_MODEL for m, _ in models) else (
        models[0][0] if models else None)
    default_seq = DEFAULT_SEQUENCE if any(q == DEFAULT_SEQUENCE for q, _ in seqs) else (
        seqs[0][0] if seqs else None)
    return {"models": models, "sequences": seqs,
            "defaultModel": default_model, "defaultSequence": default_seq}


def default_files(files: dict[str, Any]) -> set[str]:
    """File names fetched for the page's default selection."""
    cat = page_catalog(files)
    if not cat["defaultModel"] or not cat["defaultSequence"]:
        return set()
    m = dict(cat["models"])[cat["defaultModel"]]
    q = dict(cat["sequences"])[cat["defaultSequence"]]
    return {file_name(m, q, k) for k in KINDS}


# --- synthetic data -------------------------------------------------------

_HW_SPEED = {"h100": 1.0, "h200": 1.25, "h200_trt": 1.4, "b200": 2.0, "b200_trt": 2.3,
             "gb200": 2.4, "gb200_mtp": 3.0, "mi300x": 1.0, "mi325x": 1.15, "mi355x": 1.9}
_FP4_HW = {"b200", "b200_trt", "gb200", "gb200_mtp", "mi355x"}
# model slug -> (decode tok/s/user base, prefill factor, tp choices, precisions, hw keys)
_MODELS: dict[str, tuple[float, float, tuple[int, ...], tuple[str, ...], tuple[str, ...]]] = {
    "llama-3_3-70b-instruct-fp8": (45.0, 1.0, (1, 2, 4, 8), ("fp8", "fp4"),
                                   ("h100", "h200", "h200_trt", "b200", "b200_trt",
                                    "mi300x", "mi325x", "mi355x")),
    "gpt-oss-120b": (130.0, 3.0, (1, 2, 4, 8), ("fp4",),
                     ("h100", "h200", "h200_trt", "b200", "b200_trt",
                      "mi300x", "mi325x", "mi355x")),
    "deepseek-r1-0528": (40.0, 0.8, (4, 8), ("fp8", "fp4"),
                         ("h200", "h200_trt", "b200", "b200_trt", "gb200", "gb200_mtp",
                          "mi300x", "mi325x", "mi355x")),
}
_CONCS = (4, 8, 16, 32, 64, 128)
_GB200 = ((8, 16, 32, 48, 64, 72), (64, 256, 512, 1024, 2048, 4096))


def _seq_tokens(seq_slug: str) -> tuple[int, int]:
    isl, osl = seq_slug.split("_")
    return int(isl[:-1]) * 1024, int(osl[:-1]) * 1024


def _candidates(model_slug: str) -> list[tuple[int, str, str, int]]:
    _, _, tps, precs, hws = _MODELS[model_slug]
    out: list[tuple[int, str, str, int]] = []
    for hw in hws:
        for prec in precs:
            if prec == "fp4" and len(precs) > 1 and hw not in _FP4_HW:
                continue
            tp_choices, concs = _GB200 if hw.startswith("gb200") else (tps, _CONCS)
            out.extend((conc, hw, prec, tp) for tp in tp_choices for conc in concs)
    return out


def _pareto(points: list[tuple[float, float]], x_high: bool, y_high: bool) -> list[bool]:
    """True where no other point is at least as good on both axes and better on one."""
    def better(a: float, b: float, high: bool) -> bool:
        return a >= b if high else a <= b
    return [not any(better(qx, px, x_high) and better(qy, py, y_high) and (qx, qy) != (px, py)
                    for qx, qy in points)
            for px, py in points]


def _records(keys: list[tuple[int, str, str, int]], xs: list[float], ys: list[float],
             x_high: bool) -> list[dict[str, Any]]:
    recs: list[dict[str, Any]] = []
    for (conc, hw, prec, tp), x, y in zip(keys, xs, ys, strict=True):
        kw, ph, pn, pr = hw_constants(hw)
        vals = {"tpPerGpu": y, "tpPerMw": round(y * 1000 / kw, 3),
                "costh": round(ph * 1e6 / (3600 * y), 3), "costn": round(pn * 1e6 / (3600 * y), 3),
                "costr": round(pr * 1e6 / (3600 * y), 3)}
        recs.append({"x": x, "y": y, "conc": conc, "tp": tp, "hwKey": hw, "precision": prec,
                     **{m: {"y": v, "roof": False} for m, v in vals.items()}})
    for hw in dict.fromkeys(r["hwKey"] for r in recs):
        group = [r for r in recs if r["hwKey"] == hw]
        for metric in Y_METRICS:
            roof = _pareto([(r["x"], r[metric]["y"]) for r in group], x_high,
                           metric.startswith("tp"))
            for r, on in zip(group, roof, strict=True):
                r[metric]["roof"] = on
    return recs


def generate_combination(model_slug: str, seq_slug: str, seed: int = 0,
                         rows: tuple[int, int] = (60, 150)) -> tuple[list[dict], list[dict]]:
    """Synthetic (interactivity, e2e) record lists for one combination."""
    rng = random.Random(f"{seed}|{model_slug}|{seq_slug}")
    base, prefill, _, _, _ = _MODELS[model_slug]
    isl, osl = _seq_tokens(seq_slug)
    pool = _candidates(model_slug)
    n = min(rng.randint(min(rows), max(rows)), len(pool))
    keys = rng.sample(pool, n)
    order = list(_HW_SPEED)
    keys.sort(key=lambda k: order.index(k[1]))  # grouped by hwKey, random within
    inter_x, e2e_x, ys = [], [], []
    for conc, hw, prec, tp in keys:
        speed = _HW_SPEED[hw] * (1.35 if prec == "fp4" else 1.0)
        per_user = base * speed * tp ** 0.3 / (1 + conc / (6 * tp ** 0.5)) ** 0.7
        per_user *= (0.8 if isl > osl else 1.0) * math.exp(rng.gauss(0, 0.08))
        ttft = isl * (1 + conc * 0.3) / (4000 * prefill * speed * tp ** 0.5)
        e2e = (ttft + osl / per_user) * math.exp(rng.gauss(0, 0.03))
        inter_x.append(round(per_user, 3))
        e2e_x.append(round(e2e, 3))
        ys.append(round(conc * (isl + osl) / e2e / tp, 3))
    return (_records(keys, inter_x, ys, x_high=True), _records(keys, e2e_x, ys, x_high=False))


def dump(records: Any) -> bytes:
    """Compact JSON bytes, as the dashboard serves them."""
    return json.dumps(records, separators=(",", ":")).encode()


def generate(seed: int = 0, rows: tuple[int, int] = (60, 150)) -> dict[str, bytes]:
    """Deterministic synthetic data files for every catalog combination."""
    files: dict[str, bytes] = {}
    for _, model in CATALOG["models"]:
        for _, seq in CATALOG["sequences"]:
            inter, e2e = generate_combination(model, seq, seed, rows)
            files[file_name(model, seq, "interactivity")] = dump(inter)
            files[file_name(model, seq, "e2e")] = dump(e2e)
    return files
