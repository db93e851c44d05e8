"""What a reader downloads for a post before its images: the HTML, stylesheets and
scripts, gzipped as nginx sends them (at deploy/nginx.conf's gzip_comp_level). A size,
not a timing: the README's page-weight table comes from ``weights``."""

import gzip
import re
from pathlib import Path

import html5lib

from blog.posts.samples import load_sample_content

BUDGET = 20 * 1024
SAMPLE = "/post/understanding-blood-pressure"  # tables, references, comments, a contents list
NGINX_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
NGINX_GZIP_LEVEL = int(re.search(r"gzip_comp_level (\d)", NGINX_CONF.read_text()).group(1))


def weights(client, path: str) -> dict[str, tuple[int, int]]:
    """{url: (bytes, gzipped bytes)} for the page and every stylesheet and script it loads."""
    page = client.get(path)
    assert page.status_code == 200
    tree = html5lib.parse(page.data, namespaceHTMLElements=False)
    assets = [link.get("href") for link in tree.iter("link") if link.get("rel") == "stylesheet"]
    assets += [script.get("src") for script in tree.iter("script") if script.get("src")]
    found = {path: page.data}
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        found[url.split("?v=")[0]] = response.data
        response.close()
    return {
        url: (len(body), len(gzip.compress(body, NGINX_GZIP_LEVEL))) for url, body in found.items()
    }


def test_a_post_page_before_images_is_at_most_20_kb_gzipped(client):
    load_sample_content()
    sizes = weights(client, SAMPLE)
    assert "/static/css/site.css" in sizes and "/static/js/comments.js" in sizes
    assert not [url for url in sizes if "admin" in url or "editor" in url]
    total = sum(zipped for _, zipped in sizes.values())
    assert total <= BUDGET, sizes
