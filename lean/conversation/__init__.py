"""Conversation: comments with mentions on cards, follows, and each person's inbox."""
