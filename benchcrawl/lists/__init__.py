"""Lists: find a page's main list of links, and tell list pages from detail pages, from the
rendered layout (``scrapy lists detect``).

- ``collect.js``: run once in the page by Chromium; returns every visible link's boxes,
  font, colour and DOM path, and the elements holding the page's visible text.
- :mod:`~benchcrawl.lists.browser`: opens the page (Playwright) and runs it; nothing else.
- :mod:`~benchcrawl.lists.rendered`: what the browser saw, as plain data (read as untrusted).
- :mod:`~benchcrawl.lists.layout`: pure: runs, blocks and their scores; the main list.
- :mod:`~benchcrawl.lists.detect`: pure: list or detail, the content region.
"""
