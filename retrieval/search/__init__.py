"""SearchEngine and what it returns: windows of units, the excerpt a user reads, its
citation."""
