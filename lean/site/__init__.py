"""Pages of the site as a whole rather than of one area: the accessibility statement and search."""
