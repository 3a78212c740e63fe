"""Data to try and to measure the app with: the demo organizations and the full-scale network.
Seeds build through the areas' services and may import any area."""
