"""Every response names its request (X-Request-Id); a proxy's id is kept only when safe."""

import re

import pytest

ID = re.compile(r"[0-9a-f]{32}")


def test_every_response_carries_a_fresh_id(client):
    ids = [
        client.get("/").headers["X-Request-Id"],
        client.get("/").headers["X-Request-Id"],
        client.get("/nowhere").headers["X-Request-Id"],
        client.post("/login", json={}).headers["X-Request-Id"],
    ]
    assert all(ID.fullmatch(value) for value in ids)
    assert len(set(ids)) == len(ids)


def test_without_a_proxy_a_clients_id_is_not_taken(client):
    response = client.get("/", headers={"X-Request-Id": "chosen-by-the-client"})
    assert ID.fullmatch(response.headers["X-Request-Id"])


class TestBehindNginx:
    @pytest.fixture
    def config_overrides(self):
        return {"PROXY_COUNT": 1}

    def test_the_proxys_id_is_kept(self, client):
        nginx_id = "4f0c2b8e9d1a4c6f8b2e7d3a5c9f1e0b"
        response = client.get("/", headers={"X-Request-Id": nginx_id})
        assert response.headers["X-Request-Id"] == nginx_id

    @pytest.mark.parametrize(
        "offered",
        ["short", "x" * 65, "id with spaces", "path/to/somewhere", "<script>alert(1)</script>",
         "id;rm -rf", "ümlaut-request-id"],
    )  # fmt: skip
    def test_an_unsafe_id_is_replaced(self, client, offered):
        sent = client.get("/", headers={"X-Request-Id": offered}).headers["X-Request-Id"]
        assert ID.fullmatch(sent)
