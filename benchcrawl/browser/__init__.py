"""Where a request is fetched in a real browser: launching Chromium and driving the page."""
