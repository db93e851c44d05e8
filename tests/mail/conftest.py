"""The mail tests' app sends to the real SMTP server of the `inbox` fixture, with links
from SITE_URL; `writer` is a client signed in as the author."""

import pytest

from tests.conftest import sign_in
from tests.mail.helpers import config


@pytest.fixture
def config_overrides(smtp_port, request):
    return config(smtp_port, **getattr(request, "param", {}))


@pytest.fixture
def writer(app, author):
    client = app.test_client()
    sign_in(client, author)
    return client
