"""Reports: LaTeX derivations, figures, and the `eosmath reproduce` report."""
