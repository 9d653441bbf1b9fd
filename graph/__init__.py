"""The graph model: schema as data, model types, warmth, and the stores."""
