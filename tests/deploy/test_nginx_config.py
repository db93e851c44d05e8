"""The shipped nginx site passes `nginx -t` as it is, beside Debian's own settings."""

import subprocess

from tests.deploy.nginx_site import free_port, nginx_command, prepare


def test_the_shipped_site_passes_nginx_t(tmp_path):
    config, _, _ = prepare(tmp_path, free_port())
    checked = subprocess.run(
        nginx_command(config, tmp_path, "-t"), capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    # nginx 1.25+ (Debian 13) prefers `http2 on;`, which 1.22 (Debian 12) doesn't know.
    warnings = [line for line in checked.stderr.splitlines() if "[warn]" in line]
    assert [line for line in warnings if "http2" not in line] == []
