"""The share picture of a post without a cover: whatever the title, the author's name and
the site's title, everything drawn stays inside the picture, ending in "…" when cut."""

import io
from types import SimpleNamespace

import pytest
from PIL import Image

from blog.posts.share_images import BACKGROUND, BAND, HEIGHT, MARGIN, WIDTH, draw

LONG_NAME = "Dr Maya Ortiz-Featherstonehaugh " * 4
LONG_CREDENTIALS = "MD, MPH, FRCP, FAAFP, " * 7


def picture(title: str, name: str = "Dr Maya Ortiz", credentials: str = "MD", site="Notes"):
    author = SimpleNamespace(name=name, credentials=credentials)
    post = SimpleNamespace(title=title, author=author)
    png = draw(post, SimpleNamespace(site_title=site))
    return Image.open(io.BytesIO(png)).convert("RGB")


def ink_in_the_right_margin(image: Image.Image) -> bool:
    """Any pixel drawn in the right-hand margin (text running off the picture)."""
    margin = image.crop((WIDTH - MARGIN // 2, 0, WIDTH, HEIGHT))
    return any(colour not in (BACKGROUND, BAND) for _, colour in margin.getcolors(1 << 16))


@pytest.mark.parametrize(
    "title",
    [
        "Understanding your blood pressure numbers",
        "word " * 2000,
        "W" * 10_000,
        "ＷＩＤＥ　ＣＨＡＲＳ　" * 20,
        "ضغط الدم المرتفع: ما الذي تعنيه الأرقام؟ " * 3,
        "🫀 Heart 💊 " * 20,
    ],
)
def test_a_title_of_any_length_or_script_stays_inside_the_picture(title):
    image = picture(title)
    assert image.size == (WIDTH, HEIGHT)
    assert not ink_in_the_right_margin(image)


def test_a_long_byline_and_site_title_stay_inside_the_picture():
    image = picture("Salt", LONG_NAME, LONG_CREDENTIALS, "Family Practice Notes " * 6)
    assert not ink_in_the_right_margin(image)
