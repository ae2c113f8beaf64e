# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Drive demo/webui.py with headless Chromium (Playwright); the server is
:class:`e2evlp_mm.testing.webui_server.WebUIServer`.

Used by the browser tests and ``tools/analysis_tools/webui_latency.py``.
Chromium is Debian's (``tools/install_browser.sh``), never Playwright's
own download; every request that leaves the machine is refused, so the
page is known to work offline.
"""
import os
import os.path as osp
import shutil
import tempfile
import time
from typing import List, Optional

CHROMIUM_ARGS = ('--headless', '--no-sandbox', '--disable-gpu',
                 '--disable-quic', '--no-first-run',
                 '--disable-background-networking',
                 '--disable-component-update', '--disable-sync')
LOCAL = ('http://127.0.0.1', 'ws://127.0.0.1', 'data:', 'blob:')
# After a click, the page first clears the old answer (demo/webui.py's
# on_click), then shows the new one; Gradio's progress overlay ('.wrap'
# without 'hide') covers the box meanwhile.
_WATCH = """sel => {
    const box = document.querySelector(sel);
    window.__e2evlp_cleared = false;
    new MutationObserver(() => {
        if (!/Answered by|⚠/.test(box.innerText)) {
            window.__e2evlp_cleared = true;
        }
    }).observe(box, {childList: true, subtree: true, characterData: true});
}"""
_ANSWERED = """sel => {
    const box = document.querySelector(sel);
    return window.__e2evlp_cleared && /Answered by|⚠/.test(box.innerText)
        && !box.querySelector('.wrap:not(.hide)');
}"""


def find_chromium() -> Optional[str]:
    """``$E2EVLP_CHROMIUM``, Debian's ``chromium`` or None."""
    for exe in (os.environ.get('E2EVLP_CHROMIUM'), '/usr/bin/chromium',
                shutil.which('chromium'), shutil.which('chromium-browser')):
        if exe and osp.isfile(exe) and os.access(exe, os.X_OK):
            return exe
    return None


class Browser:
    """A headless Chromium with a fresh profile and one page.

    Args:
        chromium (str): The executable.
        width (int): Viewport width. Defaults to 1280.
        height (int): Viewport height. Defaults to 900.

    Attributes:
        page: The Playwright page.
        refused (list[str]): Requests to other hosts, refused.
    """

    def __init__(self, chromium: str, width: int = 1280,
                 height: int = 900) -> None:
        from playwright.sync_api import sync_playwright
        self._profile = tempfile.mkdtemp(prefix='e2evlp_chromium_')
        self._playwright = sync_playwright().start()
        self.context = self._playwright.chromium.launch_persistent_context(
            self._profile,
            executable_path=chromium,
            headless=True,
            args=list(CHROMIUM_ARGS),
            viewport=dict(width=width, height=height))
        self.refused: List[str] = []
        self.context.route('**/*', self._route)
        self.page = self.context.pages[0] if self.context.pages else \
            self.context.new_page()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def close(self) -> None:
        """Close the browser and delete its profile."""
        self.context.close()
        self._playwright.stop()
        shutil.rmtree(self._profile, ignore_errors=True)

    # actions -------------------------------------------------------------
    def open_tab(self, name: str) -> None:
        """Select the tab called ``name``."""
        self.page.get_by_role('tab', name=name, exact=True).click()

    def upload(self, elem_id: str, path: str) -> None:
        """Put ``path`` into the upload ``elem_id`` (as a person choosing
        the file would; Gradio uploads it at once)."""
        self.page.locator(f'#{elem_id} input[type=file]').set_input_files(
            path)

    def wait_preview(self, elem_id: str, timeout: float = 60) -> None:
        """Wait until the upload ``elem_id`` shows its picture."""
        self.page.locator(f'#{elem_id} img').first.wait_for(
            timeout=timeout * 1000)

    def fill(self, elem_id: str, text: str) -> None:
        """Type ``text`` into the text box ``elem_id``."""
        self.page.fill(f'#{elem_id} textarea', text)

    def click_and_wait(self, button: str, status: str,
                       timeout: float = 120) -> float:
        """Click ``button`` and wait for the new answer or message in
        ``status``.

        Returns:
            float: Seconds from the click to the shown answer.
        """
        selector = f'#{status}'
        self.page.evaluate(_WATCH, selector)
        start = time.perf_counter()
        self.page.click(f'#{button}')
        self.page.wait_for_function(
            _ANSWERED, arg=selector, timeout=timeout * 1000, polling=50)
        return time.perf_counter() - start

    def text(self, elem_id: str) -> str:
        """The visible text of ``elem_id``."""
        return self.page.inner_text(f'#{elem_id}')

    def value(self, elem_id: str) -> str:
        """The value of the text box ``elem_id``."""
        return self.page.input_value(f'#{elem_id} textarea')

    def table(self, elem_id: str) -> List[List[str]]:
        """The body rows of the Markdown table in ``elem_id``."""
        rows = self.page.locator(f'#{elem_id} table tbody tr')
        return [[
            c.strip() for c in rows.nth(i).locator('td').all_inner_texts()
        ] for i in range(rows.count())]

    def screenshot(self, path: str) -> None:
        """Save the whole page as a PNG."""
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        self.page.screenshot(path=path, full_page=True)
