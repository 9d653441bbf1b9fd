"""guanxi (关系): relationship paths between companies and people, ranked and explained."""

__version__ = "0.1.0"
