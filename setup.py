# scrapyd-deploy builds the egg with `python setup.py bdist_egg` (and writes a setup.py of its
# own if none is here). Everything is in pyproject.toml, the scrapy settings entry point too.
from setuptools import setup

setup()
