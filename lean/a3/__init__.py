"""A3 problem sheets: the bigger problems of a card, worked section by section with a coach."""

from lean.a3.views import a3_blueprint

__all__ = ["a3_blueprint"]
