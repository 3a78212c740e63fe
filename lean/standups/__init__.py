"""Stand-ups at the board: the guided review, its record and the team's rhythm."""
