"""Drafts, scheduled posts and the trash never reach a reader by any public URL."""

from datetime import timedelta

from blog.core.clock import utcnow
from blog.models import PostStatus
from tests.comment_helpers import BROWSER, FAST_FORMS, form_data

HIDDEN_TITLES = ("Secret draft", "Secret scheduled", "Secret trashed")


def make_site(make_post):
    public = make_post("Open letter", tags="flu", body="Public text about flu.")
    hidden = [
        make_post("Secret draft", status=PostStatus.DRAFT, tags="flu", body="Secret flu text."),
        make_post(
            "Secret scheduled",
            status=PostStatus.SCHEDULED,
            published_at=utcnow() + timedelta(days=2),
            tags="flu",
            body="Secret flu text.",
        ),
        make_post("Secret trashed", tags="flu", body="Secret flu text.", deleted_at=utcnow()),
    ]
    return public, hidden


def test_no_reader_page_names_a_hidden_post(client, make_post):
    public, hidden = make_site(make_post)
    year = public.published_at.year
    paths = [
        "/",
        "/tag/flu",
        "/tag/flu/feed.xml",
        "/feed.xml",
        "/sitemap.xml",
        "/archive",
        f"/archive/{year}",
        "/search?q=secret",
        "/search?q=flu",
        f"/post/{public.slug}",
        "/about",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        for post in hidden:
            assert post.title not in body, (path, post.title)
            assert f"/post/{post.slug}" not in body, (path, post.slug)


def test_hidden_posts_refuse_comments_and_likes(app, make_post):
    app.config.update(FAST_FORMS)
    _, hidden = make_site(make_post)
    client = app.test_client()
    for post in hidden:
        comment = client.post(f"/post/{post.slug}/comments", data=form_data(post), headers=BROWSER)
        assert comment.status_code == 404, post.title
        like = client.post(f"/post/{post.slug}/like", headers=BROWSER)
        assert like.status_code == 404, post.title
        page = client.get(f"/post/{post.slug}", headers=BROWSER)
        assert page.status_code in (404, 410), post.title


def test_an_old_address_of_an_unpublished_post_does_not_reveal_its_new_one(
    client, make_post, author
):
    from blog.extensions import db
    from blog.models import SlugRedirect
    from tests.conftest import sign_in

    post = make_post("Renamed in private", status=PostStatus.DRAFT)
    db.session.add(SlugRedirect(old_slug="old-public-address", post_id=post.id))
    db.session.commit()
    response = client.get("/post/old-public-address")
    assert response.status_code == 404
    assert "renamed-in-private" not in response.headers.get("Location", "")
    sign_in(client, author)
    assert client.get("/post/old-public-address").status_code == 301


def test_a_tag_only_drafts_use_is_404_to_readers(client, make_post, author):
    from tests.conftest import sign_in

    make_post("Unannounced", status=PostStatus.DRAFT, tags="Secret project", author=author)
    assert client.get("/tag/secret-project").status_code == 404
    assert client.get("/tag/secret-project/feed.xml").status_code == 404
    sign_in(client, author)
    page = client.get("/tag/secret-project")
    assert page.status_code == 200
    assert "No published posts on this topic yet." in page.get_data(as_text=True)
