"""benchcrawl: a distributed Scrapy crawler and the daily InferenceMAX sweep."""

__version__ = "0.1.0"
