"""Logging in and out, password changes, the language choice, invitations and resets."""
