"""Subscribing by email: the form (on posts and the home page), the confirmation link, and
the unsubscribe link that every mail to a reader carries.

The form is the same for every reader, the signed-in author included (no session token:
caches share the pages that carry it, and it acts on no one's session), so it is guarded
as the comment form is: another site's post is refused by its
Origin (blog.core.inputs), a signed start time refuses a form sent too fast or too late, a
hidden field catches bots, and rate limits apply per network. Its answer is the same
whatever the address, so it tells no one who subscribes.

The unsubscribe URL takes a POST from anywhere, with no cookie and no CSRF token (RFC
8058: the mail client posts "List-Unsubscribe=One-Click" to it): its signed token is the
permission, and unsubscribing twice is the same as once.
"""

from flask import abort, current_app, redirect, render_template, request, url_for

from blog.comments import spam
from blog.core import keys
from blog.core.inputs import cross_site_allowed
from blog.extensions import csrf, db, limiter
from blog.mail import subscriptions
from blog.public import bp, refused
from blog.public.forms import SubscribeForm

PREFIX = "subscribe"  # field names and ids apart from the comment form's on a post page
RATE_LIMITED = "You have sent this form several times in a short time. Please wait a little."
# The comment form's refusals, in words for this form (nothing long to keep here).
FORM_PROBLEMS = {
    spam.TOO_FAST: spam.TOO_FAST,
    spam.TOO_OLD: "This page was open too long ago: please send the form again.",
    spam.TAMPERED: "This form has expired: please send it again.",
}
INVALID_UNSUBSCRIBE = (
    "This unsubscribe link is not complete. Copy the whole link from the mail into the "
    "address bar, or use the Unsubscribe button your mail program shows."
)


def mail_enabled() -> bool:
    return bool(current_app.config["MAIL_SERVER"])


@bp.app_template_global()
def subscribe_form(post_id: int = 0) -> SubscribeForm | None:
    """The subscribe form for a post (0: the home page), or None without a mail server.
    The same for every reader within the minute."""
    if not mail_enabled():
        return None
    form = SubscribeForm(formdata=None, meta={"csrf": False}, prefix=PREFIX)
    form.post_id.data = str(post_id) if post_id else ""
    form.started.data = spam.form_token(post_id, keys.SUBSCRIBE_FORM)
    return form


def render_subscribe(form: SubscribeForm, problems: list[str], status: int):
    return render_template("public/subscribe.html", form=form, problems=problems), status


def subscribe_limit_reached(limit):
    form = SubscribeForm(meta={"csrf": False}, prefix=PREFIX)
    return refused(current_app.make_response(render_subscribe(form, [RATE_LIMITED], 429)), limit)


@bp.route("/subscribe", methods=["GET", "POST"])
@csrf.exempt  # the same for every reader, as the comment form (see above)
@limiter.limit(
    lambda: current_app.config["SUBSCRIBE_RATE_LIMIT"],
    methods=["POST"],
    on_breach=subscribe_limit_reached,
)
def subscribe():
    if not mail_enabled():
        abort(404)
    if request.method == "GET":
        return render_subscribe(subscribe_form(), [], 200)
    form = SubscribeForm(meta={"csrf": False}, prefix=PREFIX)
    valid = form.validate_on_submit()
    post_id = form.source_post_id()
    problem = None
    if valid:
        problem = spam.form_token_problem(form.started.data, post_id, keys.SUBSCRIBE_FORM)
    if not valid or problem:
        if problem:
            form.started.data = spam.form_token(post_id, keys.SUBSCRIBE_FORM)
        return render_subscribe(form, [FORM_PROBLEMS[problem]] if problem else [], 400)
    if not (form.website.data or "").strip():  # a bot fills the hidden field: no mail
        subscriptions.request_subscription(form.email.data, post_id or None)
        db.session.commit()
    return redirect(url_for("public.subscribe_sent"), 303)


@bp.get("/subscribe/sent")
def subscribe_sent():
    if not mail_enabled():
        abort(404)
    return render_template("public/subscribe_sent.html")


@bp.route("/subscribe/confirm/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token in the address is the permission
def confirm_subscription(token: str):
    try:
        confirmation = subscriptions.read_confirm_token(token)
    except ValueError as problem:
        return render_template("public/subscribe_confirm.html", problem=str(problem)), 400
    rate = subscriptions.posting_rate()
    if request.method == "GET":  # a link checker opening the link subscribes nobody
        return render_template(
            "public/subscribe_confirm.html", confirmation=confirmation, rate=rate
        )
    subscriptions.confirm(confirmation)
    db.session.commit()
    return render_template(
        "public/subscribe_confirm.html",
        confirmation=confirmation,
        rate=rate,
        confirmed=True,
        unsubscribe=url_for(
            "public.unsubscribe", token=subscriptions.unsubscribe_token(confirmation.address)
        ),
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: a mail client posts with no cookie and no token
@cross_site_allowed  # ... and from no page of this site
def unsubscribe(token: str):
    address = subscriptions.read_unsubscribe_token(token)
    if address is None:
        return render_template("public/unsubscribe.html", problem=INVALID_UNSUBSCRIBE), 400
    if request.method == "GET":
        return render_template(
            "public/unsubscribe.html",
            address=address,
            subscribed=subscriptions.is_subscribed(address),
        )
    subscriptions.unsubscribe(address)
    db.session.commit()
    return render_template("public/unsubscribe.html", address=address, done=True)
