"""Every analyst notebook runs top to bottom against the test database loaded with the generated
`tiny` brand (influence refreshed), in a python3 kernel that reads the connection from the same
environment variables as the rest of the project (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from fission.settings import Settings
from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders.pipeline import load_files
from synthetic import generate
from tests.helpers import wipe

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def demo(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("tiny-notebooks")
    generate("tiny", 7, folder, fmt="parquet")
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    refresh_influence(gateway)
    return gateway.settings


def test_the_notebooks_exist_without_outputs() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_store_explorer.ipynb",
        "02_brand_influence_and_cascades.ipynb",
        "03_ad_hoc_cypher.ipynb",
        "04_customer_value.ipynb",
    ]
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(not c.outputs and c.execution_count is None for c in code), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(
    demo: Settings, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kernel inherits these; fission.settings reads them (they win over any .env file).
    monkeypatch.setenv("NEO4J_URI", demo.neo4j_uri)
    monkeypatch.setenv("NEO4J_USER", demo.neo4j_user)
    monkeypatch.setenv("NEO4J_PASSWORD", demo.password())
    monkeypatch.setenv("NEO4J_DATABASE", demo.neo4j_database)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError, with the failing cell, if any cell fails
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []
    # The explorer drew its network map, the customer-value notebook its four figures.
    if path.stem in ("01_store_explorer", "04_customer_value"):
        figures = [
            o
            for c in code
            for o in c.outputs
            if "application/vnd.plotly.v1+json" in o.get("data", {})
        ]
        assert len(figures) >= 3
