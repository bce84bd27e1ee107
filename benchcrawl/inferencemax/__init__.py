"""Pure logic for the InferenceMAX dashboard data (no Scrapy, no browser).

* :mod:`benchcrawl.inferencemax.schema` parses and validates the served JSON files.
* :mod:`benchcrawl.inferencemax.table` flattens records and builds the merged table
  (imports pandas, so it is not imported here).
"""

from benchcrawl.inferencemax.schema import RecordError, parse_records, sequence_length

__all__ = ["RecordError", "parse_records", "sequence_length"]
