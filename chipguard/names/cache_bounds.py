"""Bounds of the per-process caches that keep one entry per screened *name* (its analysis, cleaning,
variants, query forms, Latin forms and core names), as opposed to the caches of words, which a stream of
names meets again and again.

Why small: a worker screening distinct names (a customer file, an API serving onboarding) meets almost
none of them twice, so these entries are kept for nothing but the repeats of a name within one screen and
among the last few thousand names. With bounds of 100,000–300,000 entries (before session 18) a worker's
resident memory grew ~2.9 KB per distinct name screened (210 → 590 MB over 100,000 synthetic customers
of ``bench.batch``, on toward ~1 GB: ``bench.customers_file`` read a 992 MB peak at 1M rows), and the
index builder's peak at 100k synthetic entities was 799 MB. With these bounds: +45 MB from 10,000 to
100,000 names, builder peak 403 MB (CPU 54.9 → 49.5 s), hit rates within 2 points of the old ones, and
the 2,000-query pass of ``bench.scale`` 8,214 → 8,209 M instructions with identical hits
(``bench.worker_memory`` measures it; BENCHMARKS.md, session 18).
"""

from __future__ import annotations

from typing import Final

# a name's analysis (``names.analysis.analyze``), its cleaning (``names.text.clean_steps``) and the run-on
# splits of words no vocabulary knows (``names.analysis._split_runon``): several calls per name in one
# screen (every query form, the person and organisation readings)
NAME_ANALYSES: Final = 16_384
# a query's variants, forms and Latin forms (``names.variants.name_variants``,
# ``match.screener.query_forms`` / ``cached_latin_forms``): made once per screen of a name
QUERY_RESULTS: Final = 4096
# a name's core without legal form and qualifiers (``match.pairs.han_core`` / ``latin_core_name``)
NAME_CORES: Final = 8192
