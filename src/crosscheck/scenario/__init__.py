"""The demo's generated case: benign media, texts and seized tables; only the CLI imports it."""
