"""chipguard benchmarks: ``python -m bench --shared ../shared/data`` (``make bench``)."""
