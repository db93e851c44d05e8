"""make bench's site builder and its yardstick app work (bench/site.py, bench/minimal.py);
the figures themselves are for bench/, never for a test."""

import pytest
from sqlalchemy import func, select

from bench import minimal
from bench.run import PAGES, markdown, nginx_config, paths_for
from bench.site import BENCH_POST, build_site, environment
from blog import create_app
from blog.extensions import db
from blog.models import Comment, Post

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) bench"}


@pytest.mark.slow
def test_a_tiny_bench_site_serves_its_pages_and_the_minimal_app_serves_the_same(
    tmp_path, monkeypatch
):
    for name, value in environment(tmp_path).items():
        monkeypatch.setenv(name, value)  # restored after the test
    slugs = build_site(tmp_path, posts=20, comments=50)
    assert len(slugs) == 20
    site = create_app({"TESTING": True})
    with site.app_context():
        assert db.session.scalar(select(func.count(Post.id))) == 24  # and the 4 samples
        assert db.session.scalar(select(func.count(Comment.id))) >= 50
        assert db.session.scalar(select(func.sum(Post.comment_count))) >= 50
        client = site.test_client()
        pages = {}
        for name, path in PAGES.items():
            if name != "seen":
                response = client.get(path, headers=BROWSER)
                assert response.status_code == 200, path
                pages[path.split("?")[0]] = (response.content_type, response.text)
        assert "/post/notes-10" in client.get("/?page=2").text
        for path in paths_for("search"):
            assert client.get(path, headers=BROWSER).status_code == 200, path
        db.engine.dispose()
    minimal.store_pages(str(tmp_path / "pages.sqlite3"), pages)
    yardstick = minimal.create_app(str(tmp_path / "pages.sqlite3")).test_client()
    served = yardstick.get(f"/post/{BENCH_POST}")
    assert served.status_code == 200 and served.text == pages[f"/post/{BENCH_POST}"][1]
    assert yardstick.get("/feed.xml").content_type.startswith("application/atom+xml")
    assert yardstick.get("/no-such-page").status_code == 404


def test_the_bench_nginx_config_uses_the_shipped_micro_cache(tmp_path):
    config = nginx_config(tmp_path, {"static": 1001, "nginx": 1002, "cached": 1003}, 1004)
    assert "server 127.0.0.1:1004;" in config and "127.0.0.1:8000" not in config
    assert f"proxy_cache_path {tmp_path / 'cache'} " in config
    uncached, cached = config.split("listen 127.0.0.1:1002;")[1].split("listen 127.0.0.1:1003;")
    assert "proxy_cache rounds;" in cached and "proxy_cache " not in uncached
    assert "proxy_pass http://rounds;" in uncached


def test_the_table_gives_each_figure_as_a_ratio():
    runs = [
        {"site": "small", "page": "post", "concurrency": 16, "target": target, "rps": rps,
         "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0, "requests": 1}
        for target, rps in [("static", 4000), ("minimal", 800), ("rounds", 1200),
                            ("nginx", 1000), ("cached", 3000)]
    ]  # fmt: skip
    table = markdown({"runs": runs, "sites": {}})
    assert "| small | 16 | post | 4,000 | 800 | 1,200 | 1.0 | 2.0 | 1.50× | 30% |" in table
    assert table.rstrip().endswith("| 3,000 | 2.0 | 75% |")
