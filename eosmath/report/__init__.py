"""The ``eosmath reproduce`` report: every section run, its check tables and figures written
to ``index.md`` and ``report.tex``/``report.pdf`` (:mod:`eosmath.report.reproduce`,
:mod:`eosmath.report.report_pdf`). A model's derivation is :mod:`eosmath.derivations`."""
