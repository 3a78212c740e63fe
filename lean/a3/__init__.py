"""A3 problem sheets: the bigger problems of a card, worked section by section with a coach."""
