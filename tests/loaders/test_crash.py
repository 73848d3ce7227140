"""A load killed part-way (SIGKILL, no chance to clean up), then run again to completion,
leaves exactly the graph of one uninterrupted load: the same counts and the same derived data
(first appearances, referrers, homes, ties, interests). Each batch commits whole or not at all
and marks its people :Stale in the same transaction, so the second run skips what committed
and derives what the first left undone."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fission.settings import Settings
from graph.gateway import Gateway
from loaders.pipeline import load_files
from synthetic import generate
from synthetic.presets import PRESETS
from tests.helpers import fingerprint, wipe

# A brand big enough to take a while in small batches: about 12 000 rows.
BRAND = dataclasses.replace(PRESETS["small"], stores=4, people=2_000, contents=12)
BATCH_ROWS = 200


def cli_env(settings: Settings, var_dir: Path) -> dict[str, str]:
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
    return {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": password,
        "FISSION_VAR_DIR": str(var_dir),
        "FISSION_LOAD_BATCH_ROWS": str(BATCH_ROWS),
    }


def visits(gateway: Gateway) -> int:
    return int(gateway.read("MATCH ()-[v:VISITED]->() RETURN count(v) AS n")[0]["n"])


@pytest.mark.slow
def test_a_load_killed_part_way_then_rerun_equals_one_load(
    gateway: Gateway, neo4j_settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "brand"
    summary = generate(BRAND, seed=11, out=folder, fmt="csv")
    expected_visits = summary.counts["visits"]
    wipe(gateway)
    load_files(gateway, [folder])
    whole = fingerprint(gateway)

    wipe(gateway)
    env = cli_env(neo4j_settings, tmp_path / "var")
    command = [str(Path(sys.executable).with_name("fission")), "load", str(folder)]
    loader = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while visits(gateway) < expected_visits // 4:
        assert loader.poll() is None, loader.stdout.read() if loader.stdout else ""
        assert time.monotonic() < deadline, "the load made no progress"
        time.sleep(0.05)
    loader.send_signal(signal.SIGKILL)
    loader.wait(timeout=30)
    killed_at = visits(gateway)
    assert 0 < killed_at < expected_visits, "the kill did not land part-way through the visits"
    stale = gateway.read("MATCH (p:Stale) RETURN count(p) AS n")[0]["n"]

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    again = fingerprint(gateway)
    assert again["counts"] == whole["counts"]
    assert again["derived_sha256"] == whole["derived_sha256"]
    assert gateway.read("MATCH (p:Stale) RETURN count(p) AS n") == [{"n": 0}]
    print(
        f"\ncrash: killed at {killed_at}/{expected_visits} visits with {stale} people stale; "
        f"rerun matches: derived sha256 {again['derived_sha256'][:12]}"
    )
