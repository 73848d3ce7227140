"""Vectorised string building for the generator: ids and timestamps without Python loops."""

from __future__ import annotations

import numpy as np

from synthetic.presets import Arr


def _codes(strings: Arr) -> Arr:
    """Fixed-width unicode array as an (n, width) array of code points."""
    width = strings.dtype.itemsize // 4
    return strings.view(np.uint32).reshape(len(strings), width)


def _const(text: str, n: int) -> Arr:
    return np.tile(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), (n, 1))


def _join_codes(parts: list[Arr]) -> Arr:
    codes = np.ascontiguousarray(np.hstack(parts), dtype=np.uint32)
    return codes.view(f"<U{codes.shape[1]}").ravel()


def make_ids(prefix: str, nums: Arr, width: int) -> Arr:
    """Zero-padded readable ids ("P0000123"), built without a Python loop."""
    nums = np.asarray(nums, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = ((nums[:, None] // powers) % 10 + ord("0")).astype(np.uint32)
    return _join_codes([_const(prefix, len(nums)), digits])


def iso_times(seconds: Arr) -> Arr:
    """Epoch seconds to ISO 8601 with an explicit UTC offset."""
    base = np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="s")
    # numpy pads to room for 6-digit years; our years have 4 digits, so 19 characters.
    return _join_codes([_codes(base.astype("<U19")), _const("+00:00", len(base))])


def iso_dates(seconds: Arr) -> Arr:
    return np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="D").astype(
        "<U10"
    )


def id_width(n: int, minimum: int) -> int:
    return max(minimum, len(str(max(n, 1))))
