"""The kaizen log: small improvements already made, logged in seconds."""
