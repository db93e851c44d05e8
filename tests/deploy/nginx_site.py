"""deploy/nginx.conf made runnable on this machine, as the tests use it.

The site file is copied with only its machine-specific parts changed (ports on
127.0.0.1, the checkout's paths, the cache and logs in the test's folder, a throwaway
certificate for blog.example.org) into a
throwaway main configuration that sets what Debian's /etc/nginx/nginx.conf sets around
the sites it includes. nginx runs as the current user from a temporary prefix.

Without nginx or openssl the tests are skipped, unless BLOG_REQUIRE_NGINX is set (CI).
"""

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE_FILE = ROOT / "deploy" / "nginx.conf"
NAME = "blog.example.org"


def required_tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found:
        return found
    message = f"{name} is not installed (apt-get install {name})"
    if os.environ.get("BLOG_REQUIRE_NGINX"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_for_test(http_port: int, https_port: int, app_port: int, folder: Path) -> str:
    """deploy/nginx.conf with the VPS's ports, paths and certificate swapped for the test's."""
    text = SITE_FILE.read_text()
    replacements = [
        (r"\n\s*listen \[::\]:\d+[^\n]*", ""),  # loopback IPv4 only
        (r"listen 80\b", f"listen 127.0.0.1:{http_port}"),
        (r"listen 443\b", f"listen 127.0.0.1:{https_port}"),
        (r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{app_port};"),
        (r"/etc/letsencrypt/live/blog\.example\.org/", f"{folder}/tls/"),
        (r"/srv/rounds/instance/media/", f"{folder}/media/"),
        (r"/srv/rounds/", f"{ROOT}/"),
        (r"/var/www/html", f"{folder}/acme"),
        (r"/var/log/nginx/", f"{folder}/"),
        # The micro-cache too: a shared one would hand a page of another test's site, and
        # folders nginx made as root would keep the server's own nginx (www-data) out.
        (r"/var/cache/nginx-rounds\b", f"{folder}/cache"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        assert count, f"deploy/nginx.conf no longer contains {pattern!r}"
    return text


def write_nginx_config(folder: Path, site: str) -> Path:
    """A main configuration like Debian's, including the site; every path in ``folder``."""
    (folder / "site.conf").write_text(site)
    mime_types = Path("/etc/nginx/mime.types")
    types = (
        f"include {mime_types};"
        if mime_types.exists()
        else "types { text/html html; text/css css; application/javascript js; image/jpeg jpg; }"
    )
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind}_temp;"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the temp folders
    config = folder / "nginx.conf"
    config.write_text(
        f"""{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    # What Debian's nginx.conf sets in http {{}}: the site must not repeat any of it.
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    {types}
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log {folder}/access.log;
    gzip on;
{temp}
    include {folder}/site.conf;
}}
"""
    )
    return config


def make_certificate(folder: Path) -> Path:
    """A self-signed certificate for blog.example.org where certbot would put one."""
    tls = folder / "tls"
    tls.mkdir()
    subprocess.run(
        [required_tool("openssl"), "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", f"/CN={NAME}", "-addext", f"subjectAltName=DNS:{NAME}",
         "-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem")],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return tls / "fullchain.pem"


def prepare(folder: Path, app_port: int) -> tuple[Path, int, int]:
    """Certificate, folders and the configuration; the config file and the two ports."""
    make_certificate(folder)
    for name in ("media", "acme/.well-known/acme-challenge"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    http_port, https_port = free_port(), free_port()
    site = site_for_test(http_port, https_port, app_port, folder)
    return write_nginx_config(folder, site), http_port, https_port


def nginx_command(config: Path, folder: Path, *args: str) -> list[str]:
    return [required_tool("nginx"), "-p", str(folder), "-c", str(config),
            "-e", str(folder / "error.log"), *args]  # fmt: skip
