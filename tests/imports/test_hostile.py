"""A bad or hostile source gets a clear error and changes nothing: broken XML, entity
bombs, zip slip, files too large, images at private addresses."""

import io
import socket
import zipfile

import pytest

from blog.imports import fetching
from tests.imports.conftest import import_site, snapshot

POST = """<item><title>A post</title><link>https://old.example/a-post/</link>
<content:encoded><![CDATA[{body}]]></content:encoded>
<wp:post_id>1</wp:post_id><wp:post_date>2020-01-01 10:00:00</wp:post_date>
<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt><wp:post_name>a-post</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>"""


def wxr(body: str = "<p>Hello.</p>", head: str = "", items: str | None = None) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>{head}
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Old</title>
<link>https://old.example</link><wp:base_site_url>https://old.example</wp:base_site_url>
{POST.format(body=body) if items is None else items}</channel></rss>"""


def refused(runner, app, *args) -> str:
    before = snapshot(app.config["MEDIA_DIR"])
    result = import_site(runner, *args)
    assert result.exit_code == 1, result.output
    assert snapshot(app.config["MEDIA_DIR"]) == before
    return result.output


def test_the_fixture_export_imports(runner, author, tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(wxr())
    result = import_site(runner, path)
    assert "Imported 1 post, 0 comments, 0 images; 0 warnings." in result.output


def test_broken_xml_is_refused_with_where_it_breaks(runner, author, app, tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(wxr()[:-40])
    output = refused(runner, app, path)
    assert "export.xml is not a complete XML file (line" in output
    assert "Nothing was imported." in output


BILLION_LAUGHS = """
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>"""
EXTERNAL = """
<!DOCTYPE foo [<!ENTITY secret SYSTEM "file:///etc/passwd">]>"""


@pytest.mark.parametrize("head", [BILLION_LAUGHS, EXTERNAL], ids=["billion-laughs", "xxe"])
def test_entity_bombs_and_external_entities_are_refused(runner, author, app, tmp_path, head):
    path = tmp_path / "export.xml"
    path.write_text(wxr(body="&lol9; &secret;", head=head))
    output = refused(runner, app, path)
    assert "declares a document type or XML entities" in output
    assert "root:" not in output


def test_xml_that_is_not_a_wordpress_export_is_refused(runner, author, app, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>')
    assert "is XML but not a WordPress export" in refused(runner, app, path)


def test_broken_json_is_refused(runner, author, app, tmp_path):
    path = tmp_path / "ghost.json"
    path.write_text('{"db": [{"data": {"posts": [')
    assert "ghost.json is not a complete JSON file" in refused(runner, app, path)


def test_a_file_of_another_kind_is_refused(runner, author, app, tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not an export")
    assert "is not a WordPress export (.xml), a Ghost export (.json)" in refused(runner, app, path)


def zip_of(entries: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16  # a symbolic link
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "entry", ["../../escaped.txt", "/tmp/absolute.txt", "content/..\\..\\win.txt"]
)
def test_zip_slip_is_refused_and_nothing_is_written_outside(runner, author, app, tmp_path, entry):
    path = tmp_path / "upload" / "export.zip"
    path.parent.mkdir()
    path.write_bytes(zip_of({"export.xml": wxr().encode(), entry: b"owned"}))
    output = refused(runner, app, path)
    assert "zip slip" in output
    assert not (tmp_path / "escaped.txt").exists()
    assert not list(tmp_path.rglob("*escaped*")) and not list(tmp_path.rglob("*win.txt"))


def test_a_zip_holding_a_link_is_refused(runner, author, app, tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(zip_of({"export.xml": wxr().encode()}, links=("images/passwd",)))
    assert "zip slip" in refused(runner, app, path)


@pytest.fixture
def config_overrides():
    return {"IMPORT_MAX_MB": 0.05, "MAX_UPLOAD_MB": 0.02}


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(runner, author, app, tmp_path):
    path = tmp_path / "huge.xml"
    path.write_text(wxr(body="<p>" + "x" * 60_000 + "</p>"))
    output = refused(runner, app, path)
    assert "huge.xml is 5" in output and "kB; files of up to 51.2 kB are imported" in output


def test_a_zip_that_unpacks_beyond_the_limit_is_refused(runner, author, app, tmp_path):
    path = tmp_path / "bomb.zip"
    path.write_bytes(zip_of({"export.xml": wxr().encode(), "padding.bin": b"\0" * 2_000_000}))
    assert path.stat().st_size < 51_200
    assert "bomb.zip unpacks to more than 51.2 kB" in refused(runner, app, path)


def test_an_image_larger_than_the_upload_limit_is_left_out(runner, author, app, site, tmp_path):
    site.routes["/big.jpg"] = (200, {"Content-Type": "image/jpeg"}, b"\xff" * 40_000)
    path = tmp_path / "export.xml"
    path.write_text(wxr(body=f'<p>Big:</p><img src="{site.url("/big.jpg")}" alt="Big">'))
    result = import_site(runner, path, "--allow-private-addresses")
    assert result.exit_code == 0, result.output
    assert "Image left out: " in result.output and "larger than the 20.5 kB limit" in result.output
    assert "Imported 1 post, 0 comments, 0 images" in result.output


@pytest.mark.parametrize(
    "address",
    ["http://10.0.0.1/x.jpg", "http://169.254.169.254/latest/meta-data", "http://[::1]/x.png"],
)
def test_an_image_at_a_private_address_is_refused(runner, author, app, tmp_path, address):
    path = tmp_path / "export.xml"
    path.write_text(wxr(body=f'<img src="{address}" alt="x">'))
    output = refused(runner, app, path)
    assert "a private network address" in output and "--allow-private-addresses" in output


def test_a_host_name_that_resolves_to_this_machine_is_refused(runner, author, app, site, tmp_path):
    port = site.base.rsplit(":", 1)[1]
    site.routes["/x.jpg"] = (200, {}, b"never served")
    path = tmp_path / "export.xml"
    path.write_text(wxr(body=f'<img src="http://localhost:{port}/x.jpg" alt="x">'))
    output = refused(runner, app, path)
    assert "localhost is at" in output and "private network address" in output
    assert "/x.jpg" not in site.requests


def test_a_redirect_to_a_private_address_is_refused(
    runner, author, app, site, tmp_path, monkeypatch
):
    """The test server counts as public here, so its redirect is what is refused."""
    monkeypatch.setattr(fetching, "is_public", lambda address: str(address) == "127.0.0.1")
    port = site.base.rsplit(":", 1)[1]
    site.routes["/moved.jpg"] = (302, {"Location": f"http://127.0.0.2:{port}/x.jpg"}, b"")
    path = tmp_path / "export.xml"
    path.write_text(wxr(body=f'<img src="{site.url("/moved.jpg")}" alt="x">'))
    output = refused(runner, app, path)
    assert "127.0.0.2 is at 127.0.0.2, a private network address" in output
    assert "/moved.jpg" in site.requests


def test_a_wix_site_on_this_machine_needs_the_flag(runner, author, app, site):
    output = refused(runner, app, site.base)
    assert "127.0.0.1 is at 127.0.0.1, a private network address" in output
    assert site.requests == []


def test_only_http_addresses_are_downloaded(runner, author, app, tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(wxr(body='<p>Text.</p><img src="file:///etc/passwd" alt="x">'))
    result = import_site(runner, path)
    assert result.exit_code == 0
    assert "Imported 1 post, 0 comments, 0 images" in result.output


def test_a_name_is_resolved_once_and_only_the_checked_address_is_used(site, monkeypatch):
    """DNS rebinding: the name answers a public address first, then another. The
    download goes to the address that was checked, never to the later answer."""
    port = int(site.base.rsplit(":", 1)[1])
    answers = iter(["127.0.0.1", "127.0.0.3", "127.0.0.3"])
    asked = []

    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host.replace(".", "").isdigit():  # an address needs no name server
            return real(host, *args, **kwargs)
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(fetching, "is_public", lambda address: str(address) == "127.0.0.1")
    site.routes["/photo.jpg"] = (200, {"Content-Type": "image/jpeg"}, b"served")
    fetched = fetching.Fetcher(allow_private=False, timeout=5).get(
        f"http://rebind.example:{port}/photo.jpg", 1000
    )
    assert fetched.body == b"served" and asked == ["rebind.example"]
