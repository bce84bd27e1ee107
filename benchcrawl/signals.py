"""benchcrawl's own signals (Scrapy's are in :mod:`scrapy.signals`).

Connect with ``crawler.signals.connect(handler, signal=...)``; send with
``crawler.signals.send_catch_log(signal=..., **kwargs)``.
"""

#: This node must stop taking new work from the shared frontier (it is overloaded or
#: paused); what it already holds finishes. Arguments: ``reason: str``.
leasing_paused = object()

#: This node may take new work again. No arguments.
leasing_resumed = object()

#: How many requests this node may hold at once (leased and in flight), from the cluster's
#: node ranking. Arguments: ``limit: int``.
lease_limit_changed = object()

#: The InferenceMAX discovery page told its generation from what it requested (before it
#: read its options). Arguments: ``generation: str``.
dashboard_recognised = object()

#: A serving InferenceMAX worker saw its sweep end and goes back to waiting: per-sweep
#: state (pooled pages) is let go. Arguments: ``sweep_id: str``, ``status: str``.
sweep_ended = object()
