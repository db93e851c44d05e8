"""The shipped nginx site passes `nginx -t` as it is, beside Debian's own settings."""

import re
import subprocess

from tests.deploy.nginx_site import ROOT, free_port, nginx_command, prepare


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


def test_the_tested_site_writes_nothing_outside_its_own_folder(tmp_path):
    """Every path the test's copy names is the test's or the checkout's: a cache or log left
    in /var by a test run (as root, say) would belong to the wrong user on the server."""
    config, _, _ = prepare(tmp_path, free_port())
    site = re.sub(r"#[^\n]*", "", (tmp_path / "site.conf").read_text())  # not the comments
    paths = re.findall(r"(?<![\w.:/])/[\w.-]+(?:/[\w.-]*)*", site)
    outside = [
        path
        for path in paths
        if not path.startswith((str(tmp_path), str(ROOT)))
        and not re.fullmatch(r"/(static|media|admin|\.well-known)/.*|/admin/import|/search|/", path)
    ]
    assert paths and outside == []
