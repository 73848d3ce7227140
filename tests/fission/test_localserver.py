"""The local server's generated password is always one neo4j-admin accepts as a value."""

from __future__ import annotations

from pathlib import Path

from fission.localserver import LocalNeo4j


def test_generated_passwords_never_look_like_options(tmp_path: Path) -> None:
    # One token in 64 used to start with "-", which set-initial-password took for an option
    # (the first start then failed): 300 fresh passwords hit that with 99% probability.
    for n in range(300):
        server = LocalNeo4j(home=tmp_path, lib_dir=tmp_path, password_file=tmp_path / f"pw{n}")
        assert not server.password().startswith("-")
