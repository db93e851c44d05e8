"""Every pinned dependency installs on the Pythons a VPS has: Debian 12's 3.11.2 and
Debian 13's 3.13.5 (README, "From a fresh server to HTTPS": `make install-prod` runs
the system's python3). A pin that asks for a newer Python makes pip refuse the whole
install on that server, so each pin's Requires-Python is read from this environment."""

from importlib import metadata
from pathlib import Path

from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
SERVER_PYTHONS = {"Debian 12": "3.11.2", "Debian 13": "3.13.5"}


def pins() -> dict[str, str]:
    found = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            found[name.strip()] = version.strip()
    return found


def test_every_installed_pin_supports_the_servers_python():
    refused, checked = [], 0
    for name, version in pins().items():
        try:
            installed = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue  # an extra this environment doesn't have (postgres)
        if installed["Version"] != version:
            continue
        checked += 1
        wanted = SpecifierSet(installed.get("Requires-Python") or "")
        for server, python in SERVER_PYTHONS.items():
            if python not in wanted:
                refused.append(f"{name}=={version} needs Python {wanted} ({server} has {python})")
    assert checked > 30
    assert refused == []
