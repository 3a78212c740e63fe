"""Team boards: the PDCA board, quick add, moves, and a card's detail and history."""

from lean.boards.views import boards_blueprint

__all__ = ["boards_blueprint"]
