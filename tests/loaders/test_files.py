"""The drop-folder naming convention: what is input, what is still arriving, what is ours."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fission.errors import InvalidInput
from loaders.files import input_files, is_note, is_temporary, sha256_of


@pytest.mark.parametrize(
    ("name", "temporary"),
    [
        ("visits.csv", False),
        ("03_orders.parquet", False),
        ("visits.csv.part", True),
        ("visits.csv.PART", True),
        ("visits.csv.tmp", True),
        ("visits.jsonl.crdownload", True),
        ("shares.csv.filepart", True),
        (".visits.csv.swp", True),
        (".~lock.visits.csv#", True),
        ("_SUCCESS", True),
        ("visits.csv~", True),
    ],
)
def test_temporary_names(name: str, temporary: bool) -> None:
    assert is_temporary(Path(name)) is temporary


def test_markers_and_our_notes_are_not_input() -> None:
    assert is_note(Path("visits.csv.done"))
    assert is_note(Path("visits.csv.rejects.csv"))
    assert is_note(Path("visits.csv.error.txt"))
    assert not is_note(Path("visits.csv"))


def test_a_folder_gives_its_input_files_only(tmp_path: Path) -> None:
    for name in (
        "stores.csv",
        "visits.jsonl",
        "visits.jsonl.rejects.csv",
        "visits.jsonl.done",
        "shares.csv.part",
        ".hidden.csv",
        "_SUCCESS",
        "readme.txt",
    ):
        (tmp_path / name).write_text("x")
    (tmp_path / "done").mkdir()
    (tmp_path / "done" / "orders.csv").write_text("x")
    assert input_files([tmp_path]) == [tmp_path / "stores.csv", tmp_path / "visits.jsonl"]
    # A file named explicitly is taken as it is, and only once.
    named = tmp_path / "readme.txt"
    assert input_files([named, tmp_path, named]) == [
        named,
        tmp_path / "stores.csv",
        tmp_path / "visits.jsonl",
    ]
    with pytest.raises(InvalidInput, match="no such file"):
        input_files([tmp_path / "missing.csv"])


def test_content_hash(tmp_path: Path) -> None:
    data = b"event_id,share_id\n" * 200_000  # several read pieces
    path = tmp_path / "shares.csv"
    path.write_bytes(data)
    assert sha256_of(path) == hashlib.sha256(data).hexdigest()
