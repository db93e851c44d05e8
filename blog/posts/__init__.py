"""The post domain: writing and publication rules, history and trash, images, search,
reading aids, view statistics, feeds and structured data, import/export, sample content,
the author's own pages and the header's menu."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The template helpers pages use for posts, and the app's view counter."""
    from blog.posts import images, pages, reading, seo, stats

    stats.init_app(app)
    app.jinja_env.globals.update(
        media_url=images.media_path,
        icon_url=images.icon_path,
        menu_items=pages.menu_items,
        image_sizes=images.SIZES.__getitem__,
        media_attributes=images.image_attributes,
        contents_tree=reading.contents_tree,
        absolute_url=seo.absolute_url,
        cover_image=seo.cover_image,
        seo_description=seo.description,
        post_structured_data=seo.post_structured_data,
        review_credit=seo.review_credit,
        website_structured_data=seo.website_structured_data,
        page_structured_data=seo.page_structured_data,
        about_description=seo.about_description,
    )
