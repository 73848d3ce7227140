"""`fission report`: a store's weekly report printed to PDF by headless Chromium, from the
real test database."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from cli.main import EXIT_CODES, app
from fission.errors import NotFound
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.stores import store_diagnosis
from loaders.pipeline import load_files
from synthetic import generate
from tests.cli.test_main import env, runner  # noqa: F401 (the fixture)
from tests.helpers import wipe


def test_weekly_report_of_a_store(env: Path, graph: Gateway) -> None:  # noqa: F811
    generate("tiny", seed=11, out=env / "tiny", fmt="parquet")
    load_files(graph, [env / "tiny"])
    refresh_influence(graph)
    out = env / "S0001.pdf"
    result = runner.invoke(app, ["report", "--store", "S0001", "--out", str(out), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "S0001" in result.output and str(out) in result.output
    reader = PdfReader(out)
    text = " ".join(page.extract_text() for page in reader.pages)
    d = store_diagnosis(graph, "S0001")
    assert len(reader.pages) >= 2
    assert "周报" in text and "S0001" in text and "关键节点" in text and "裂变率" in text
    assert f"{d.customers:,}" in text and (d.name or "") in text
    missing = runner.invoke(app, ["report", "--store", "S9999", "--out", str(env / "no.pdf")])
    assert missing.exit_code == EXIT_CODES[NotFound]
    assert "S9999" in missing.output and "Traceback" not in missing.output
    assert not (env / "no.pdf").exists()
    wipe(graph)
