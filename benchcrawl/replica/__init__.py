"""Local replica of the InferenceMAX dashboard, for tests, benchmarks and the demo."""

from .data import CATALOG, default_snapshot_dir, generate, load_snapshot
from .server import FAULT_MODES, Replica, RequestRecord

__all__ = ["CATALOG", "FAULT_MODES", "Replica", "RequestRecord", "default_snapshot_dir",
           "generate", "load_snapshot"]
