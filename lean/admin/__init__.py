"""Administration and onboarding: organizations, teams, people, themes, imports, audit log."""
