"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, and the
configuration that sends to it. Import the fixtures into a test module by name."""

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """Accepts every message, in order, except addresses in ``refuse`` (answered with their
    reply). ``hold_at`` makes a DATA wait until released and then answer that it could not
    take the message (a send cut off before the server accepted it)."""

    def __init__(self):
        self.messages = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply to RCPT
        self.holding = threading.Event()
        self.release = threading.Event()
        self.hold_at: int | None = None  # hold the mail that arrives with this many kept

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        if self.hold_at is not None and len(self.messages) == self.hold_at:
            self.hold_at = None
            self.holding.set()
            await server.loop.run_in_executor(None, self.release.wait, 30)
            return "451 Cut off before it was accepted"
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def parsed(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(envelope.content, policy=email.policy.default)
            for envelope in self.messages
        ]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [
            message
            for envelope, message in zip(self.messages, self.parsed(), strict=True)
            if address in envelope.rcpt_tos
        ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mail_config(port: int) -> dict:
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_FROM": "blog@example.org",
        "MAIL_TIMEOUT": 5,
        "MAIL_RATE_PER_MINUTE": 0,  # no pacing in tests (a test of the pace sets it)
    }


@pytest.fixture(scope="module")
def smtp_port():
    return free_port()


@pytest.fixture
def inbox(smtp_port):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    handler.release.set()
    controller.stop()
