"""Deterministic synthetic brand generator.

Simulates a retail brand's referral programme: staff (and a few loyal members, later agents)
start share cascades, visitors re-share, some prospects buy, staff befriend and note customers.
The output uses the exact file names and columns the loaders read (CSV, JSON Lines or Parquet).

Standalone on purpose (numpy, pandas, pyarrow only) so the CLI, tests and benchmarks can use it
before anything else in the project exists. The same preset, seed, end and format always give
byte-identical files.
"""

from __future__ import annotations

from synthetic.fraud import PATTERNS as FRAUD_PATTERNS
from synthetic.output import generate
from synthetic.presets import (
    COLUMNS,
    DEFAULT_END,
    FILE_TYPES,
    PRESETS,
    TOPICS,
    GenerationSummary,
    Preset,
)

__all__ = [
    "COLUMNS", "DEFAULT_END", "FILE_TYPES", "FRAUD_PATTERNS", "PRESETS", "TOPICS",
    "GenerationSummary", "Preset", "generate",
]  # fmt: skip
