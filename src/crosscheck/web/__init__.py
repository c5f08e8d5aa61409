"""The hub's web layer: the JSON API (and, later, the analyst's pages)."""
