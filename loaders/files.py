"""Which files in a folder are input, which are still arriving, and which are our own notes.

The convention for a folder that files are dropped into (README, "Running it every day"):

- **Still arriving** (never read): names starting with `.` or `_` (`.visits.csv.swp`,
  `_SUCCESS`, `_tmp/`), and names ending in a temporary suffix (`.part`, `.partial`, `.tmp`,
  `.temp`, `.crdownload`, `.filepart`, `.uploading`, `~`). Upload to such a name, then rename:
  a rename within one file system is atomic, so the final name only ever holds a whole file.
- **Completion markers** (optional): `<name>.done` next to `<name>` says `<name>` is complete.
- **Our own notes**, written next to a file that was loaded: `<name>.rejects.csv` (its rejected
  rows, with reasons) and `<name>.error.txt` (why the file as a whole could not be loaded).
  They are not input, so loading a folder of loaded files leaves them out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from fission.errors import InvalidInput
from loaders.readers import file_format

TEMPORARY_SUFFIXES = (
    ".part",
    ".partial",
    ".tmp",
    ".temp",
    ".crdownload",
    ".filepart",
    ".uploading",
    "~",
)
MARKER_SUFFIX = ".done"
REJECTS_SUFFIX = ".rejects.csv"
ERROR_SUFFIX = ".error.txt"
HASH_CHUNK = 1 << 20


def is_temporary(path: Path) -> bool:
    """A name that an upload in progress uses (see the module docstring)."""
    name = path.name.lower()
    return name.startswith((".", "_")) or name.endswith(TEMPORARY_SUFFIXES)


def is_note(path: Path) -> bool:
    """A marker or a note the loaders wrote, not input."""
    return path.name.lower().endswith((MARKER_SUFFIX, REJECTS_SUFFIX, ERROR_SUFFIX))


def is_data_file(path: Path) -> bool:
    """A file in a format the readers know (.csv[.gz], .jsonl, .parquet)."""
    try:
        file_format(path)
    except InvalidInput:
        return False
    return True


def input_files(paths: Iterable[Path]) -> list[Path]:
    """Files given by name, plus the input files directly inside folders given (temporary
    names, markers, notes and files in unknown formats left out), each once."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.iterdir())
                if p.is_file() and not is_temporary(p) and not is_note(p) and is_data_file(p)
            )
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidInput(f"{path}: no such file or directory")
    return list(dict.fromkeys(files))


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(HASH_CHUNK):
            digest.update(piece)
    return digest.hexdigest()
