"""Pure parts of the browser capture: which URL is which kind of data file."""

from benchcrawl.browser.capture import kind_of

PATTERNS = {"interactivity": "interactivity", "e2e": "e2e"}


def test_kind_from_the_file_name_only():
    base = "https://h/data/inference-performance/"
    assert kind_of(base + "gpt-oss-120b-1k_1k-interactivity.json", PATTERNS) == "interactivity"
    assert kind_of(base + "gpt-oss-120b-1k_1k-e2e.json?v=2", PATTERNS) == "e2e"
    assert kind_of("https://h/e2e/app.js", PATTERNS) is None  # folder names don't count
    assert kind_of("https://h/_vercel/insights/event", PATTERNS) is None
