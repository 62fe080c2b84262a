"""Feed to item: fetch, parse, normalize, dedup, store; the poll schedule and the poller."""
