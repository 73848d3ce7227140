"""The app as `fission serve` runs it (`api.app.serving_app`), built in a process of its own so
that its garbage-collector settings do not reach the test process."""

from __future__ import annotations

import subprocess
import sys

BUILD = """
import gc
from api.app import serving_app
app = serving_app()
paths = {getattr(route, "path", None) for route in app.routes}
print(gc.get_freeze_count(), "/openapi.json" in paths, "/static" in paths)
"""


def test_the_served_app_moves_its_start_up_objects_out_of_the_collectors_reach() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BUILD], capture_output=True, text=True, timeout=120, check=True
    )
    frozen, openapi, static = done.stdout.split()
    # Modules, classes and schemas: tens of thousands of objects no collection walks again.
    assert int(frozen) > 20_000
    assert (openapi, static) == ("True", "True")
