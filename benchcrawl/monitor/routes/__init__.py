"""The monitor's routes, one router per job, sharing the dependencies of ``deps``:

- ``auth``: signing in and out (a session cookie for the page);
- ``pages``: the page, its actions and its stylesheet;
- ``api``: the JSON API under ``/api/`` and the cluster's ``/metrics``;
- ``csv``: the merged table as a CSV download.

Every route but signing in needs the token (``deps.Auth``); the app that mounts them is
:func:`benchcrawl.monitor.app.create_app`.
"""
