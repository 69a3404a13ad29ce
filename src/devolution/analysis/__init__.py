"""Analysis: per head, by region and type of council, changes over time."""
