"""Downloads for an import: public http(s) addresses only, with timeouts and size caps.

An export or a page names the addresses to fetch, so they are not trusted: a hostile file
could point an image at the server's own network (a router's admin page, a cloud
metadata service, a database port). Every request and every redirect is resolved here,
each address the name resolves to is checked, and the connection goes to the checked
address itself, so a name that answers differently the second time (DNS rebinding) gains
nothing. ``allow_private`` lifts the address rule for an intranet site and for tests.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import HTTPError

from blog.core.inputs import size_text

USER_AGENT = "Rounds-import/1.0 (moving a blog in)"
MAX_REDIRECTS = 5
CHUNK = 16 * 1024


class ImportRefused(Exception):
    """The source is unreadable or hostile: the import stops and writes nothing. The
    message says why, for the person importing."""


class Unavailable(Exception):
    """One download failed (missing, too large, too slow): a warning, the rest goes on."""


@dataclass
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is on the public internet (not loopback, private, link-local,
    shared, reserved or multicast; an IPv4 address inside IPv6 is judged as itself)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class Fetcher:
    """GET requests under the address rule; one instance per import."""

    def __init__(self, allow_private: bool, timeout: float):
        self.allow_private = allow_private
        self.timeout = urllib3.Timeout(connect=timeout, read=timeout)
        # A slow drip of bytes within the read timeout still ends here.
        self.deadline_seconds = timeout * 4

    def get(self, url: str, max_bytes: int) -> Fetched:
        """The body of ``url`` (following up to MAX_REDIRECTS redirects), at most
        ``max_bytes``. ImportRefused for a private address, Unavailable otherwise."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self._open(current)
            try:
                location = response.headers.get("Location")
                if response.status in (301, 302, 303, 307, 308) and location:
                    current = urljoin(current, location)
                    continue
                if response.status != 200:
                    raise Unavailable(f"{current}: the server answered {response.status}")
                body = self._read(response, current, max_bytes)
                content_type = response.headers.get("Content-Type", "")
                return Fetched(url=current, content_type=content_type, body=body)
            finally:
                response.release_conn()
        raise Unavailable(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _open(self, url: str):
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise Unavailable(f"{url}: not a valid address") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Unavailable(f"{url}: only http and https addresses are downloaded")
        address = self._checked_address(url, parts.hostname, port)
        host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        if ":" in parts.hostname:
            host_header = f"[{parts.hostname}]" + (f":{parts.port}" if parts.port else "")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if parts.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                server_hostname=parts.hostname,
                assert_hostname=parts.hostname,
                cert_reqs="CERT_REQUIRED",
                timeout=self.timeout,
                retries=False,
                maxsize=1,
            )
        else:
            pool = urllib3.HTTPConnectionPool(
                address, port, timeout=self.timeout, retries=False, maxsize=1
            )
        headers = {
            "Host": host_header,
            "User-Agent": USER_AGENT,
            "Accept": "*/*",
            "Accept-Encoding": "identity",
        }
        try:
            return pool.urlopen(
                "GET",
                target,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except HTTPError as error:
            raise Unavailable(f"{url}: {_reason(error)}") from None

    def _checked_address(self, url: str, host: str, port: int) -> str:
        """The address to connect to: every address the name has must pass the rule."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise Unavailable(f"{url}: no such host") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
        if not addresses:
            raise Unavailable(f"{url}: no such host")
        if not self.allow_private:
            for address in addresses:
                if not is_public(address):
                    raise ImportRefused(
                        f"Refused to download {url}: {host} is at {address}, a private "
                        "network address, not the public internet. If the site really is "
                        "on your own network, import it from the command line with "
                        "--allow-private-addresses. Nothing was imported."
                    )
        return str(addresses[0])

    def _read(self, response, url: str, max_bytes: int) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise Unavailable(f"{url}: larger than the {size_text(max_bytes)} limit")
        chunks, total = [], 0
        deadline = time.monotonic() + self.deadline_seconds
        try:
            for chunk in response.stream(CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise Unavailable(f"{url}: larger than the {size_text(max_bytes)} limit")
                if time.monotonic() > deadline:
                    raise Unavailable(f"{url}: the download took too long")
                chunks.append(chunk)
        except HTTPError as error:
            raise Unavailable(f"{url}: {_reason(error)}") from None
        return b"".join(chunks)


def _reason(error: Exception) -> str:
    text = str(error)
    if "timed out" in text.lower():
        return "no answer in time"
    if "certificate" in text.lower():
        return "its HTTPS certificate is not valid"
    return "could not connect"


def read_capped(path: Path, max_bytes: int, what: str) -> bytes:
    """A local file's bytes, refusing one larger than ``max_bytes`` before reading it."""
    size = path.stat().st_size
    if size > max_bytes:
        raise Unavailable(f"{what}: larger than the {size_text(max_bytes)} limit")
    with path.open("rb") as stream:
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while being read
        raise Unavailable(f"{what}: larger than the {size_text(max_bytes)} limit")
    return data
