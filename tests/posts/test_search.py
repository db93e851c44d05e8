"""Site search: what readers find, what they never find, and hostile input."""

import logging
import re
from datetime import timedelta

import html5lib
import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text, update

from blog import create_app
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Post, PostStatus, Tag
from blog.posts.search import fts5_query, hidden_posts, highlight, search_terms, tsquery_text
from blog.posts.writing import set_tags
from tests.conftest import ROOT, base_config


def titles(client, query: str, page: int | None = None) -> list[str]:
    url = "/search?q=" + query + (f"&page={page}" if page else "")
    response = client.get(url)
    assert response.status_code == 200
    found = re.findall(r'class="search-result__title"><a href="/post/([^"]+)"', response.text)
    return found


def test_finds_posts_by_title_excerpt_body_and_tag(client, make_post):
    make_post("Statins explained", body="Cholesterol-lowering drugs.")
    make_post("Plain", body="Nothing here.", excerpt="About anticoagulation clinics.")
    make_post("Body only", body="Some words about thrombolysis in stroke.")
    make_post("Tagged", body="Unrelated text.", tags="Nephrology")
    assert titles(client, "statins") == ["statins-explained"]
    assert titles(client, "anticoagulation") == ["plain"]
    assert titles(client, "thrombolysis") == ["body-only"]
    assert titles(client, "nephrology") == ["tagged"]


def test_title_matches_rank_first_and_words_are_stemmed(client, make_post):
    make_post("Walking every day", body="A short note.")
    make_post("Body mention", body="Walking is mentioned here, and walking again, walks.")
    assert titles(client, "walk") == ["walking-every-day", "body-mention"]


def test_last_word_matches_as_a_prefix_and_all_words_must_match(client, make_post):
    make_post("Hypertension at home", body="Measure twice.")
    make_post("Hypertension in clinic", body="White coat.")
    assert set(titles(client, "hypert")) == {"hypertension-in-clinic", "hypertension-at-home"}
    assert titles(client, "hypertension home") == ["hypertension-at-home"]


def test_a_single_letter_last_word_is_a_word_not_a_prefix(client, make_post):
    make_post("Vitamin D in winter", body="Sunlight is weak.")
    make_post("Vitamin deficiency", body="Diet first.")
    assert titles(client, "vitamin+d") == ["vitamin-d-in-winter"]
    assert titles(client, "vitamin+de") == ["vitamin-deficiency"]


def test_underscores_and_ligatures_are_read_as_the_index_reads_them(client, make_post):
    make_post("Fibre and salt", body="Whole grains.")
    for query in ("salt", "___+salt", "salt+__", "fibre_salt", "%EF%AC%81bre"):  # "ﬁbre"
        assert titles(client, query) == ["fibre-and-salt"], query


# Half-typed last words, against the sample posts: the index holds stems ("walk"), so the
# prefix "walki" alone finds nothing; the words it may be finishing do.
HALF_TYPED = {
    "walk": "walking-how-many-steps",
    "walki": "walking-how-many-steps",
    "walkin": "walking-how-many-steps",
    "sleepin": "how-much-sleep-adults-need",
    "hypertensi": "understanding-blood-pressure",
    "blood pressu": "understanding-blood-pressure",
}


def check_half_typed_words(client) -> None:
    from blog.posts.samples import load_sample_content

    load_sample_content()
    for typed, slug in HALF_TYPED.items():
        found = titles(client, typed.replace(" ", "+"))
        assert found and found[0] == slug, (typed, found)
    assert titles(client, "walkix") == []


def test_a_half_typed_last_word_finds_the_posts_it_begins(client):
    check_half_typed_words(client)


def test_snippets_highlight_matches_and_escape_the_text(client, make_post):
    make_post(
        "Escaping <b>check</b>",
        body="The word potassium appears beside `<script>alert(1)</script>` code.",
    )
    page = client.get("/search?q=potassium").text
    assert "<mark>potassium</mark>" in page
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Escaping &lt;b&gt;check&lt;/b&gt;" in page


def test_query_text_is_escaped_on_the_results_page(client, make_post):
    make_post("Anything")
    page = client.get('/search?q=<img src=x onerror=alert(1)>"').text
    assert "<img src=x" not in page
    assert 'value="&lt;img src=x onerror=alert(1)&gt;&#34;"' in page


def test_drafts_future_and_trashed_posts_never_appear(client, make_post):
    make_post("Magnesium published")
    make_post("Magnesium draft", status=PostStatus.DRAFT)
    make_post(
        "Magnesium scheduled",
        status=PostStatus.SCHEDULED,
        published_at=utcnow() + timedelta(days=2),
    )
    make_post("Magnesium trashed", deleted_at=utcnow())
    assert titles(client, "magnesium") == ["magnesium-published"]
    assert "1 post found" in client.get("/search?q=magnesium").text


def test_the_count_leaves_out_exactly_the_posts_readers_may_not_see(client, make_post):
    """The count subtracts hidden_posts() from the index's matches: it must be every post
    Post.is_public() leaves out, and no other."""
    now = utcnow()
    hour = timedelta(hours=1)
    states = [
        {"status": PostStatus.PUBLISHED},
        {"status": PostStatus.PUBLISHED, "published_at": now + timedelta(days=1)},
        {"status": PostStatus.SCHEDULED, "published_at": now - hour},
        {"status": PostStatus.SCHEDULED, "published_at": now + hour},
        {"status": PostStatus.DRAFT},
        {"status": PostStatus.DRAFT, "published_at": now - timedelta(days=1)},
        {"status": PostStatus.PUBLISHED, "deleted_at": now},
        {"status": PostStatus.SCHEDULED, "published_at": now - hour, "deleted_at": now},
        {"status": PostStatus.PUBLISHED},  # its time taken away below
    ]
    for number, state in enumerate(states):
        make_post(f"Selenium {number}", **state)
    db.session.execute(update(Post).where(Post.title == "Selenium 8").values(published_at=None))
    db.session.commit()
    everything = set(db.session.scalars(select(Post.id)))
    public = set(db.session.scalars(select(Post.id).where(Post.is_public())))
    assert set(db.session.scalars(hidden_posts(), {"now": utcnow()})) == everything - public
    assert len(public) == 2
    assert "2 posts found" in client.get("/search?q=selenium").text
    assert sorted(titles(client, "selenium")) == ["selenium-0", "selenium-2"]


def test_a_scheduled_post_appears_when_its_time_comes(client, make_post):
    post = make_post(
        "Zinc later", status=PostStatus.SCHEDULED, published_at=utcnow() + timedelta(hours=1)
    )
    assert titles(client, "zinc") == []
    db.session.execute(
        update(Post).where(Post.id == post.id).values(published_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    assert titles(client, "zinc") == ["zinc-later"]


def test_index_follows_edits_tag_renames_and_deletes(client, make_post):
    post = make_post("Iron basics", body="Ferritin levels.", tags="Anaemia")
    post.title = "Copper basics"
    db.session.commit()
    assert titles(client, "iron") == []
    assert titles(client, "copper") == ["iron-basics"]
    tag = db.session.scalar(select(Tag).where(Tag.slug == "anaemia"))
    tag.name = "Haematology"
    db.session.commit()
    assert titles(client, "haematology") == ["iron-basics"]
    assert titles(client, "anaemia") == []
    set_tags(post, "Ferritin stores, Minerals")
    db.session.commit()
    assert titles(client, "haematology") == []
    assert titles(client, "minerals") == ["iron-basics"]
    db.session.delete(db.session.scalar(select(Tag).where(Tag.slug == "minerals")))
    db.session.commit()
    assert titles(client, "minerals") == []
    assert titles(client, "stores") == ["iron-basics"]
    post.excerpt = "Zinc and selenium."
    db.session.commit()
    assert titles(client, "selenium") == ["iron-basics"]
    check_index()
    db.session.delete(post)
    db.session.commit()
    assert titles(client, "copper") == []
    assert db.session.scalar(text("SELECT count(*) FROM search_posts")) == 0


def test_a_view_or_comment_count_change_does_not_rewrite_the_index(app, make_post):
    post = make_post("Counted", body="Body.")
    changes = "SELECT total_changes()"  # counts the rows triggers change too
    before = db.session.scalar(text(changes))
    db.session.execute(update(Post).values(view_count=Post.view_count + 1, comment_count=3))
    assert db.session.scalar(text(changes)) == before + 1
    post.like_count += 1
    db.session.flush()
    assert db.session.scalar(text(changes)) == before + 2


def check_index() -> None:
    """FTS5 compares the index with the text it reads from the view: raises if they differ."""
    db.session.execute(
        text("INSERT INTO search_posts (search_posts, rank) VALUES ('integrity-check', 1)")
    )


def test_the_index_keeps_no_copy_and_follows_every_write_even_in_sql(client, make_post):
    shadow = "SELECT name FROM sqlite_master WHERE name = 'search_posts_content'"
    assert db.session.scalar(text(shadow)) is None  # the text lives in posts only
    post = make_post("Iron basics", body="Ferritin levels.", tags="Anaemia, Minerals")
    make_post("Zinc basics", body="Zinc levels.", tags="Minerals")
    writes = [
        "UPDATE posts SET title = 'Copper basics' WHERE slug = 'iron-basics'",
        "UPDATE posts SET body_text = 'Caeruloplasmin.', auto_excerpt = '' WHERE title LIKE 'C%'",
        "UPDATE tags SET name = 'Haematology' WHERE slug = 'anaemia'",
        "DELETE FROM tags WHERE slug = 'minerals'",
        "UPDATE posts SET excerpt = 'Selenium too.' WHERE slug = 'zinc-basics'",
        "DELETE FROM posts WHERE slug = 'zinc-basics'",
    ]
    for write in writes:
        db.session.execute(text(write))
        check_index()
    db.session.commit()
    assert titles(client, "caeruloplasmin copper haematology") == ["iron-basics"]
    for gone in ("iron", "ferritin", "anaemia", "minerals", "zinc", "selenium"):
        assert titles(client, gone) == [], gone
    db.session.delete(db.session.get(Post, post.id))
    check_index()
    assert db.session.scalar(text("SELECT count(*) FROM search_posts")) == 0


def test_results_are_paginated_ten_a_page(client, make_post):
    for number in range(23):
        make_post(f"Vaccine note {number:02d}", published_at=utcnow() - timedelta(hours=number + 1))
    first = client.get("/search?q=vaccine").text
    assert "23 posts found" in first and "Page 1 of 3" in first
    assert len(titles(client, "vaccine")) == 10
    assert len(titles(client, "vaccine", page=3)) == 3
    assert 'rel="next" href="/search?page=2&amp;q=vaccine"' in first
    assert client.get("/search?q=vaccine&page=4").status_code == 404


def test_a_full_last_page_counts_and_a_failing_query_still_answers(client, make_post, monkeypatch):
    for number in range(20):
        make_post(f"Vaccine note {number:02d}", published_at=utcnow() - timedelta(hours=number + 1))
    assert "20 posts found" in client.get("/search?q=vaccine&page=2").text
    assert client.get("/search?q=vaccine&page=3").status_code == 404
    monkeypatch.setattr("blog.posts.search.fts5_query", lambda terms: '"unclosed')
    # Other addresses than those above, which a worker keeps in memory while nothing changes.
    response = client.get("/search?q=Vaccine")
    assert response.status_code == 200 and "No posts match" in response.text
    assert client.get("/search?q=Vaccine&page=2").status_code == 404


@pytest.mark.parametrize("bad", ["0", "-1", "x", "99999999999", "2%00"])
def test_bad_page_numbers_are_404(client, make_post, bad):
    make_post("Vaccine")
    assert client.get(f"/search?q=vaccine&page={bad}").status_code == 404


def test_empty_query_shows_the_search_form(client):
    response = client.get("/search")
    assert response.status_code == 200
    assert 'id="search-page-q"' in response.text
    assert "No results" not in response.text


def test_header_has_a_labelled_search_form_on_every_page(client, make_post):
    make_post("Any")
    for url in ("/", "/post/any", "/about", "/archive", "/search?q=any"):
        page = client.get(url).text
        assert 'role="search" action="/search" method="get"' in page, url
        assert '<label class="visually-hidden" for="site-search-q">Search posts</label>' in page
    assert 'value="any"' in client.get("/search?q=any").text


HOSTILE = [
    '"',
    '""',
    '"unterminated',
    "*",
    "**",
    "a*",
    "*a",
    "NEAR(",
    "NEAR(a b",
    "NEAR(a, b, 3)",
    "(",
    ")",
    "((a)",
    "[",
    "]",
    "{",
    "a AND",
    "AND",
    "OR OR",
    "NOT",
    "a NOT b",
    "title:",
    "title:blood",
    "body:x OR tags:y",
    "-",
    "-blood",
    "+",
    "^",
    "^blood",
    ":",
    ";--",
    "'; DROP TABLE posts; --",
    "%",
    "%%",
    "\\",
    "\\\\\\",
    "😀",
    "👩🏽‍⚕️ blood",
    "\u200b",
    "\u0301",
    "a\u0301",
    "ﷺ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "x" * 10240,
    "blood " * 2000,
    "\x01\x02\x03",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "${7*7}",
    "&amp;",
    "\t\n\r",
    "   ",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_any_input_answers_200(client, make_post, query):
    make_post("Blood pressure", body="Blood pressure and title notes.", tags="Heart")
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    html5lib.HTMLParser(strict=False).parse(response.text)
    assert "<script>alert(1)" not in response.text


@pytest.mark.parametrize(
    "raw_query",
    ["q=%00", "q=%00blood%00", "q=%ED%A0%80", "q=%ED%A0%80blood", "q=%FF%FE", "q=%C0%AF", "q"],
)
def test_nul_bytes_and_broken_utf8_answer_200(client, make_post, raw_query):
    make_post("Blood")
    assert client.get("/search?" + raw_query).status_code == 200


def test_search_terms_are_quoted_and_capped():
    assert search_terms('title:"blood" NEAR(a*') == ["title", "blood", "NEAR", "a"]
    assert fts5_query(["NEAR", "ab"]) == '"NEAR" AND "ab"*'
    assert fts5_query(["vitamin", "d"]) == '"vitamin" AND "d"'
    assert tsquery_text(["vitamin", "d"]) == "'vitamin' & 'd'"
    assert fts5_query(["a", "sleepin"]) == '"a" AND ("sleepin"* OR "sleeping" OR "sleepiness")'
    assert tsquery_text(["hypertensi"]).startswith(
        "('hypertensi':* | 'hypertensing' | 'hypertension' | "
    )
    assert tsquery_text(["it's", "bp"]) == "'it''s' & 'bp':*"
    assert len(search_terms("word " * 100)) == 12
    assert search_terms("x" * 10240) == ["x" * 200]
    assert search_terms("\ud800abc") == ["abc"]


def test_highlight_escapes_everything_but_its_own_marks():
    marked = "<b>\ue000x & y\ue001</b> \ue001 stray \ue000"
    assert str(highlight(marked)) == "&lt;b&gt;<mark>x &amp; y</mark>&lt;/b&gt;  stray "


def test_the_migration_indexes_posts_that_already_exist(tmp_path):
    path = tmp_path / "old.sqlite3"
    app = create_app(base_config(path, tmp_path))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="0001")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO authors (id, name, credentials, job_title, bio_md, bio_html,"
                    " session_version, created_at) VALUES (1, 'A', '', '', '', '', 1, :now)"
                ),
                {"now": utcnow()},
            )
            connection.execute(
                text(
                    "INSERT INTO posts (author_id, title, slug, body_md, body_html, toc_json,"
                    " body_text, excerpt, auto_excerpt, meta_description, status, featured,"
                    " sample, published_at, reviewed_by, medical, audience, word_count,"
                    " reading_minutes, view_count, like_count, comment_count, created_at,"
                    " updated_at) VALUES (1, 'Legacy gout post', 'legacy', '', '', '[]',"
                    " 'Uric acid crystals.', '', '', '', 'published', 0, 0, :past, '', 0,"
                    " 'patients', 3, 1, 0, 0, 0, :past, :past)"
                ),
                {"past": utcnow() - timedelta(days=1)},
            )
        upgrade(directory=str(ROOT / "migrations"))
        client = app.test_client()
        assert titles(client, "uric") == ["legacy"]
        assert titles(client, "gout") == ["legacy"]
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    "config_overrides", [{"RATELIMIT_ENABLED": True, "SEARCH_RATE_LIMIT": "3 per minute"}]
)
def test_new_searches_from_one_network_are_limited_repeats_are_not(app, make_post):
    make_post("Selenium and the thyroid", body="Selenium, briefly.")
    reader = app.test_client()
    for words in ("selenium", "thyroid", "briefly"):
        answer = reader.get(f"/search?q={words}")
        assert answer.status_code == 200
        # A page shared by every reader carries nothing of one client's count.
        assert not [name for name in answer.headers.keys() if "ratelimit" in name.lower()]
        assert "Retry-After" not in answer.headers
    refused = reader.get("/search?q=iodine")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "many searches in a short time" in refused.text
    assert "please wait a minute before searching again" in refused.text
    assert "Selenium" in reader.get("/search?q=selenium").text  # a repeat, from memory
    elsewhere = app.test_client().get("/search?q=iodine", environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert elsewhere.status_code == 200


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_ENABLED": True, "SEARCH_RATE_LIMIT": "10 per minute; 1 per hour"}],
)
def test_a_refusal_says_how_long_to_wait(client, caplog):
    assert client.get("/search?q=salt").status_code == 200
    with caplog.at_level(logging.INFO):
        refused = client.get("/search?q=sugar")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3600"
    assert "please wait up to an hour before searching again" in refused.text
    # The access log has the 429: no line of its own for each refusal of a flood.
    assert not [record for record in caplog.records if record.name == "flask-limiter"]


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True}])
def test_a_limiter_that_fails_never_fails_the_search(app, client, make_post, monkeypatch):
    from blog.extensions import limiter

    make_post("Selenium and the thyroid")

    def broken(*_args, **_kwargs):
        raise RuntimeError("threads can only be started once")  # a race in its storage

    with app.app_context():
        monkeypatch.setattr(limiter.limiter, "hit", broken)
    answer = client.get("/search?q=selenium")
    assert answer.status_code == 200 and "Selenium" in answer.text


def test_a_results_page_has_a_box_to_search_again_with_the_words(client, make_post):
    """On a phone the header's box is only a button: the page's own box changes the words."""
    make_post("Selenium and the thyroid")
    page = client.get("/search?q=selenium+thyr").text
    box = re.search(r'<form class="search-form search-form--again"[^>]*>.*?</form>', page, re.S)[0]
    assert 'value="selenium thyr"' in box and "autofocus" not in box
    assert "autofocus" in client.get("/search").text  # an empty search page: typing at once
