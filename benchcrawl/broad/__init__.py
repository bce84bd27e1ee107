"""Pure logic of the broad crawl: no Scrapy, Redis or network in here.

``seeds`` (seed and exclusion files), ``scope`` (which hosts may be crawled),
``robots`` (RFC 9309 policy over Protego), ``politeness`` (a domain's delay),
``links`` (link extraction with selectolax/Lexbor), ``page`` (truncation, content kind).
The Redis side is :mod:`benchcrawl.polite`; the spider is
:mod:`benchcrawl.spiders.broad`.
"""
