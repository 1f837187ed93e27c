"""Open built documentation pages in headless Chromium: each must render its title and body, and a screenshot
of each is written for review.

Usage: ``python docs/check_in_browser.py docs/_build/html [--out docs/screenshots]`` after
``sphinx-build -W -b html docs docs/_build/html``. Needs a Chromium binary (Debian: ``apt install chromium``);
the pages are served from a local HTTP server, nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

#: page -> text its rendered DOM must contain
PAGES = {
    "index.html": "Train classifiers when labels are weak",
    "api.html": 'id="weaklabel.MultiLabelClassifier"',
}


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    sys.exit("check_in_browser: no Chromium found; install it (Debian: apt install chromium)")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


def _serve(root: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _run(browser: str, *args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}", *args]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built HTML folder")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "screenshots")
    args = parser.parse_args()
    browser = _chromium()
    args.out.mkdir(parents=True, exist_ok=True)
    server = _serve(args.site)
    failures = []
    try:
        for page, expected in PAGES.items():
            url = f"http://127.0.0.1:{server.server_address[1]}/{page}"
            dom = _run(browser, "--dump-dom", url)
            if expected not in dom:
                failures.append(f"{page}: the rendered page lacks {expected!r}")
            shot = args.out / (Path(page).stem + ".png")
            _run(browser, f"--screenshot={shot}", "--window-size=1280,1600", "--hide-scrollbars", url)
            print(f"{page}: rendered ({len(dom):,} characters of DOM), screenshot {shot}")
    finally:
        server.shutdown()
    if failures:
        sys.exit("\n".join(failures))


if __name__ == "__main__":
    main()
