"""Pure geography: coordinate systems, distances, boundaries, road graphs. No Django imports."""
