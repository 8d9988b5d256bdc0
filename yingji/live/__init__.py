"""Live push to the console (SSE).

Any process calls :func:`publish` (inside or outside a transaction: the event is written
on commit). Web processes stream events to browsers from ``/live/stream``; each web process
runs one tailer that reads new rows every ``POLL_SECONDS`` and fans them out to its
connected clients, filtered by channel and by the user's regional scope.
"""

