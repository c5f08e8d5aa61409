"""The graph type the package passes around: a networkx multigraph keyed by node id."""

from __future__ import annotations

from typing import TypeAlias

import networkx as nx

Graph: TypeAlias = "nx.MultiGraph[str]"
