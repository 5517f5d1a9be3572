"""Set-up shared by several test modules: headless Chromium and loopback HTTP servers."""
