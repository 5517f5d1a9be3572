"""Headless Chromium driven by Selenium, for the tests that open pages in a real browser.

Needs Debian's `chromium` and `chromium-driver`. A module that uses the browser sets
`pytestmark = CHROMIUM_MARKS`, so it is skipped when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_MARKS = [
    pytest.mark.chromium,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium chromium-driver)"),
]

COMMON_ARGUMENTS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run")


@contextlib.contextmanager
def running_chromium(profile: Path, *arguments: str) -> Iterator[Any]:
    """A Selenium Chrome driver on headless Chromium with a private profile; quit on exit.

    `arguments` are added to the common command-line switches (e.g. "--window-size=1200,900").
    The browser's console log is kept, for `driver.get_log("browser")`.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not Path(driver_path).exists():
        pytest.fail("chromium is installed but chromedriver is not: apt-get install chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (*COMMON_ARGUMENTS, *arguments, f"--user-data-dir={profile}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager (which may download drivers) is never used.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()
