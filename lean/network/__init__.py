"""The peer network: practices published across organizations, mirrored, adopted and spread."""

from lean.network.views import network_blueprint

__all__ = ["network_blueprint"]
