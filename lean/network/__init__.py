"""The peer network: practices published across organizations, mirrored, adopted and spread."""
