"""Mail to readers and to the author: subscriptions (double opt-in), the outbox in the
database, the messages, and the worker that sends them (``flask mail work``)."""
