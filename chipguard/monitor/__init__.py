"""Monitoring: what customers do after onboarding (ARCHITECTURE.md "Monitoring").

Public API (the CLI ``chipguard monitor usage|links|rescreen`` is a thin face over it)::

    from chipguard.monitor.usage import read_usage, UsageRecord
    from chipguard.monitor.compute import settings, estimate, estimate_accounts, chip_hours_for, peak_ops
    from chipguard.monitor.links import index_links, find_clusters, hub_values, cluster_compute, link_keys

Re-screening the stored customers when the lists change reads and writes the store, so it lives in the
service layer: ``chipguard.service.rescreen`` (``diff_parties``, ``rescreen_customers``, ``run_rescreen``).

- ``read_usage(path) -> list[UsageRecord]``: CSV / JSON Lines usage (account, model or instance type,
  count, start, end or hours, optional utilisation); all or nothing, InputError naming file, line, field.
- ``settings(precision=None, utilisation=None, window_days=None, warn_fraction=None, basis="cumulative",
  as_of=None) -> Settings``; ``estimate(records, cfg, accounts=None) -> ComputeEstimate`` (FLOP at the
  default utilisation and its low/high range, busiest rolling window, peak concurrent accelerators and
  ops/s, one ``ThresholdCheck`` per dated threshold, ``alert`` = exceeds / may_exceed / warning / below);
  ``estimate_accounts(records, cfg)`` per account; ``chip_hours_for(ops, entry)`` the accelerator-hours
  a threshold takes.
- ``find_clusters(customer_dicts | LinkIndex, past=None, max_fanout=None) -> list[Cluster]`` (union-find over shared payment instruments, public
  IPs, e-mails and corporate domains, phones, addresses, identifiers, owners, ultimate parents, each link
  kept as ``Evidence``; ``past`` = earlier record versions also link; values held by more than
  ``max_fanout`` customers are ``hub_values`` instead); ``cluster_compute(clusters, records, cfg)`` adds each
  cluster's combined compute.
- ``diff_parties(old, new) -> ListDiff``; ``rescreen_customers(customers, old_parties, new_parties)``
  (incremental when the diff is small, full otherwise; same answer); ``run_rescreen(snapshots, customers,
  audit, since=None)`` re-screens the stored customers against the active lists since the last run and
  appends a ``monitor.rescreen`` audit entry.

Reference data: ``chipguard/data/monitor/`` (thresholds with dates and citations, estimation settings,
free-mail domains, address abbreviations).
"""
