"""Plumbing every part shares: the engine and write rule, request input, keyed hashes,
the clock and time zones, the site's settings, template helpers. No domain rules, no routes."""
