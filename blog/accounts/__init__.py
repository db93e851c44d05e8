"""The author's account: first-run setup, passwords, signing in."""
