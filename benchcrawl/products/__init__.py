"""Data products of each archived version: what users read (charts, diffs, trends, a run
report) and query (a results database, Parquet). Pure logic apart from I/O; the archive
pipeline and ``scrapy versions`` are the thin shells around it.

One module per concept:

* ``load.py``: a version's tables read back from its CSVs, with their dtypes;
* ``diff.py``: two merged tables -> added / removed / changed configurations (pure);
* ``charts.py``: the dashboard's three views per model x sequence, PNG + SVG, a gallery;
* ``trend.py``: one model x sequence across every version (table and chart);
* ``db.py``: the results database (SQLAlchemy 2: SQLite by default, PostgreSQL);
* ``parquet.py``: ``merged.parquet``;
* ``report.py``: ``report.md``;
* ``make.py``: the steps in order, each timed, each failing on its own (``step.py``: one
  step's run and outcome, shared with ``inferencex_make.py``).

A version's folder once its products are made::

    archive/<version>/
      interactivity.csv e2e.csv merged.csv raw/ manifest.json   the data (the version itself)
      diff.csv diff.md          against the version before it (none for the first)
      merged.parquet            the merged table, typed
      report.md                 timings, combinations, row counts, warnings, changes, products
      charts/                   *.png, *.svg, index.html  (`scrapy versions charts`)

When a version lands (``pipelines/archive.py``), diff, Parquet, the database load and the
report are made at once (well under a second together); the charts take several seconds
on two cores, so they are drawn by ``scrapy versions charts`` (or at archive time with
``ARCHIVE_CHARTS=True``). A failing step never takes the version down: the data is the
product, and every derived file can be made again with ``scrapy versions``.
"""
