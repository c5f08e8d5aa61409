"""The link graph with provenance on every node and edge; queries and exports."""
