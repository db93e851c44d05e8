"""The comment domain: the policy that publishes or holds a comment, spam defences,
moderation, likes, counters, notifications and scheduled forgetting. No HTTP here: the
reader's comment and like endpoints are in `public`, the moderation queue in `author`."""
