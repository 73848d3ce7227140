"""The weekly PDF report of a store: its dashboard's sections and charts, printed by headless
Chromium (Debian's, the one the project installs for PNG export and the browser tests).

The report is an HTML file written next to plotly.js's own file (loaded as `file://`, so no
server or network is needed), then `chromium --headless --print-to-pdf` prints it once every
script has run (`--virtual-time-budget`: Chromium fast-forwards its clock until the page is
idle). Charts are drawn static, exactly as on the page otherwise.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from pathlib import Path

from api.i18n import Language, Text
from api.maps import CHROMIUM
from api.pages.common import PLOTLY_DIR, Chrome
from api.pages.views import dashboard_html, store_dashboard
from fission.errors import ConfigurationError, RenderingFailed
from graph.gateway import Gateway
from graph.network import store_network

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=20000",
]
PRINT_TIMEOUT_SECONDS = 120
# Each print starts a browser (a few hundred MB): at most two at a time per process.
_printing = threading.BoundedSemaphore(2)


def chromium_path() -> Path:
    """Debian's Chromium (BROWSER_PATH overrides, as for PNG export)."""
    path = Path(os.environ.get("BROWSER_PATH", CHROMIUM))
    if not path.exists():
        raise ConfigurationError(
            f"No Chromium at {path} to print the report: run scripts/install-browser.sh "
            "(or set BROWSER_PATH)."
        )
    return path


def report_html(gateway: Gateway, store_id: str, lang: Language) -> str:
    """The weekly report of `store_id` as one HTML page (plotly.js by `file://`)."""
    text = Text(lang, gateway.settings.display_timezone)
    frame = Chrome(
        text=text,
        path=f"/stores/{store_id}/dashboard",
        query=(),
        role="store",
        store_id=store_id,
    )
    data = store_dashboard(gateway, store_id, store_network(gateway, store_id))
    plotly_file = (PLOTLY_DIR / "plotly.min.js").as_uri()
    return dashboard_html(gateway, frame, data, report=True, plotly_file=plotly_file)


def print_pdf(html: str) -> bytes:
    """`html` printed to PDF (A4) by headless Chromium."""
    chromium = chromium_path()
    with _printing, tempfile.TemporaryDirectory(prefix="fission-report-") as folder:
        page = Path(folder) / "report.html"
        pdf = Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            str(chromium),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=PRINT_TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise RenderingFailed(
                f"Chromium did not print the report within {PRINT_TIMEOUT_SECONDS} s"
            ) from exc
        if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-5:])
            raise RenderingFailed(f"Chromium could not print the report: {tail}")
        return pdf.read_bytes()


def store_report_pdf(gateway: Gateway, store_id: str, lang: Language) -> bytes:
    """The weekly report of a store as PDF bytes. Unknown store -> NotFound."""
    return print_pdf(report_html(gateway, store_id, lang))
