"""The author's own pages: list, write (with a preview), delete."""

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from blog.author import bp
from blog.author.forms import PageForm
from blog.author.guard import keeps_text
from blog.author.posts import render_outside_the_lock
from blog.core.bounded import TooComplex
from blog.core.forms import ActionForm
from blog.core.inputs import sized_for
from blog.core.site import site_settings
from blog.extensions import db
from blog.models import Page
from blog.posts import pages

TOO_COMPLEX = (
    "This text is too complex to show (it took too long to render). Nothing was saved: "
    "simplify the part you changed last (deep nesting, very many links or brackets)."
)
PREVIEW = "preview"


@bp.get("/pages")
def pages_list():
    found = db.session.scalars(select(Page).order_by(Page.title)).all()
    in_menu = set(site_settings().menu.split())
    return render_template("author/pages.html", pages=found, in_menu=in_menu)


def editor_page(form: PageForm, page: Page | None, status=200, problem=None, preview=None):
    body = render_template(
        "author/page_editor.html", form=form, page=page, problem=problem, preview=preview
    )
    return body, status


@keeps_text("author.new_page", "author.edit_page")
def page_with_submitted_text(status: int, problem: str):
    page_id = (request.view_args or {}).get("page_id")
    page = db.session.get(Page, page_id) if page_id else None
    return editor_page(PageForm(meta={"csrf": False}), page, status, problem)


@bp.route("/pages/new", methods=["GET", "POST"])
@sized_for("editor")
def new_page():
    if request.method == "GET":
        return editor_page(PageForm(formdata=None), None)
    return save_from_form(PageForm(), Page(body_md=""))


@bp.route("/pages/<int:page_id>/edit", methods=["GET", "POST"])
@sized_for("editor")
def edit_page(page_id: int):
    page = db.get_or_404(Page, page_id)
    if request.method == "GET":
        form = PageForm(formdata=None, obj=page)
        form.body.data = page.body_md
        form.in_menu.data = page.menu_key in site_settings().menu.split()
        return editor_page(form, page)
    return save_from_form(PageForm(), page)


def save_from_form(form: PageForm, page: Page):
    """Save (or, for the Preview button, only render) what the author sent."""
    shown = page if page.id else None
    if not form.validate_on_submit():
        return editor_page(form, shown, 400, "Nothing was saved. Correct the fields marked below.")
    body = form.body.data or ""
    try:
        rendered = render_outside_the_lock(body)
    except TooComplex:
        return editor_page(form, shown, 422, TOO_COMPLEX)
    if request.form.get("intent") == PREVIEW:
        return editor_page(form, shown, preview=rendered.html)
    try:
        pages.save_page(
            page,
            title=form.title.data.strip(),
            slug=form.slug.data or "",
            body=body,
            status=form.status.data,
            rendered=rendered,
        )
        db.session.flush()  # the page's id, for its place in the menu
    except pages.PageRefused as refused:
        db.session.rollback()
        form.slug.errors = [str(refused)]
        return editor_page(form, shown, 400, "Nothing was saved. Correct the fields marked below.")
    pages.show_in_menu(page, site_settings(), form.in_menu.data)
    db.session.commit()
    flash(f"“{page.title}” saved.", "success")
    return redirect(url_for("author.edit_page", page_id=page.id), 303)


@bp.route("/pages/<int:page_id>/delete", methods=["GET", "POST"])
def delete_page(page_id: int):
    page = db.get_or_404(Page, page_id)
    form = ActionForm()
    if request.method == "GET":
        return render_template("author/page_delete.html", page=page)
    if not form.validate_on_submit():
        abort(400)
    title = page.title
    pages.delete_page(page, site_settings())
    db.session.commit()
    flash(f"“{title}” deleted.", "success")
    return redirect(url_for("author.pages_list"), 303)
