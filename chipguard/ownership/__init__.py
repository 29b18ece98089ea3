"""Ownership graphs, the 50 % rules, ultimate parents and shell-company red flags.

Public interfaces (see README.md beside this file):

* ``formats.load_graph(path, fmt=None, *, lei_file=None) -> OwnershipGraph`` — BODS 0.4, GLEIF RR
  (+ LEI-CDF names), FollowTheMoney JSON lines, CSV ``owner,owned,percent``; InputError names the record.
* ``compute.indirect_ownership(graph, target)``, ``compute.aggregate_listed(graph, target, listed,
  threshold=50)``, ``compute.ultimate_parent(graph, target)`` — paths, intervals, cycles.
* ``screening.screen_ownership(customer, screener, *, on, graph=None) -> OwnershipReport`` — screens
  every node above a customer and aggregates per regime (``regimes.load_regimes()``, data file).
* ``facts.ownership_graph_facts`` and ``red_flags.red_flag_facts(transaction, context)`` — fact
  providers registered with the decision engine at import.
"""
