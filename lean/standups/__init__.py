"""Stand-ups at the board: the guided review, its record and the team's rhythm."""

from lean.standups.views import standups_blueprint

__all__ = ["standups_blueprint"]
