"""Team boards: the PDCA board, quick add, moves, and a card's detail and history."""
