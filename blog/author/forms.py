"""The author's forms: the editor, settings, password, moderation and the media library."""

import unicodedata
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from flask import current_app
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import TextArea

from blog.accounts.authors import strong_password
from blog.core.forms import comment_text, email_field, one_line, strip
from blog.core.inputs import row_id
from blog.models import Moderation, PageStatus, PostStatus, Settings
from blog.posts.publication import ACTIONS
from blog.posts.reviews import NewReviewer, colleagues

META_IDEAL = (120, 155)
REVIEW_AFTER_MONTHS = Settings.defaults()["review_after_months"]


def normalize_newlines(text: str | None) -> str | None:
    """Browsers send a textarea's line breaks as CRLF; the stored text uses LF only."""
    if text is None:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def optional_id(value) -> int | None:
    """Coerce a select's value to a row id; anything else is an invalid choice."""
    if value in (None, "", "None"):
        return None
    return row_id(value)


FIRST_YEAR, LAST_YEAR = 1900, 2999


def sensible_year(form, field):
    """Dates far from now are typing mistakes, and years 1 and 9999 overflow when moved
    between time zones."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(f"Enter a date between the years {FIRST_YEAR} and {LAST_YEAR}.")


def post_too_long(text: str | None) -> str | None:
    """Why a post's Markdown is refused for its size (MAX_POST_KB), or None."""
    limit = int(current_app.config["MAX_POST_KB"]) * 1024
    if len(text or "") <= limit:
        return None
    return (
        f"This text is {len(text):,} characters long; a post can have {limit:,}. "
        "Split it into two posts (nothing was lost: your text is still here)."
    )


def post_size(form, field):
    problem = post_too_long(field.data)
    if problem:
        raise ValidationError(problem)


AUTHOR_HERSELF = "self"


def reviewer_choices(sent: list | None) -> list[SelectChoice]:
    """No one, the author herself, or a colleague named before; a signed-out echo of the
    form offers only what was ``sent``."""
    choices = [SelectChoice("", "No reviewer named")]
    if not current_user.is_authenticated:
        if sent and sent[0]:
            choices.append(SelectChoice(sent[0], "The reviewer chosen before"))
        return choices
    me = ", ".join(filter(None, [current_user.name, current_user.credentials]))
    choices.append(SelectChoice(AUTHOR_HERSELF, f"You ({me})"))
    for colleague in colleagues():
        label = ", ".join(filter(None, [colleague.name, colleague.credentials]))
        choices.append(SelectChoice(str(colleague.id), label))
    return choices


class PostForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Give the post a title."), Length(max=200)],
    )
    slug = StringField("Address (slug)", validators=[Optional(), Length(max=200)])
    body = TextAreaField("Text", filters=[normalize_newlines], validators=[post_size])
    excerpt = TextAreaField("Excerpt", validators=[Optional(), Length(max=600)])
    tags = StringField("Tags", validators=[Optional(), Length(max=500)])
    featured = BooleanField("Featured on the home page")
    # Unticked: "publish without emailing". Left out of a request: no mail either.
    email_subscribers = BooleanField("Email it to subscribers when it goes out", default=True)
    status = SelectField(
        "Status",
        choices=[
            SelectChoice(PostStatus.DRAFT, "Draft"),
            SelectChoice(PostStatus.PUBLISHED, "Published"),
            SelectChoice(PostStatus.SCHEDULED, "Scheduled"),
        ],
        default=PostStatus.DRAFT,
    )
    published_at = DateTimeLocalField(
        "Publication date and time",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        validators=[Optional(), sensible_year],
    )
    meta_description = TextAreaField("Meta description", validators=[Optional(), Length(max=300)])
    last_reviewed = DateField("Last reviewed", validators=[Optional(), sensible_year])
    # "" (none), "self" (the author) or a reviewer's id; a name typed below wins.
    reviewer = SelectField("Medically reviewed by", choices=[], default="")
    reviewer_name = StringField(
        "New reviewer's name", filters=[one_line], validators=[Optional(), Length(max=120)]
    )
    reviewer_credentials = StringField(
        "Their credentials", filters=[one_line], validators=[Optional(), Length(max=160)]
    )
    reviewer_url = StringField("Their profile page", validators=[Optional(), Length(max=500)])
    medical = BooleanField("Medical content", default=True)
    audience = SelectField(
        "Written for",
        choices=[
            SelectChoice("patients", "Patients and families"),
            SelectChoice("clinicians", "Clinicians"),
        ],
        default="patients",
    )
    cover_media_id = SelectField("Cover image", coerce=optional_id, choices=[])
    # What the page was based on (blog.posts.writing.version_of), the version a "Keep
    # mine" overwrites, and the button pressed (Publish, Schedule, Unpublish; else Save).
    version = HiddenField()
    overwrite = HiddenField()
    intent = HiddenField()

    def base_version(self) -> str | None:
        return self.overwrite.data or self.version.data or None

    def chosen_action(self) -> str:
        return self.intent.data if self.intent.data in ACTIONS else ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reviewer.choices = reviewer_choices(self.reviewer.raw_data)

    def named_reviewer(self) -> None:
        if not (self.reviewer_name.data or "").strip():
            raise ValidationError("Give the new reviewer's name too, or clear this.")

    def validate_reviewer_credentials(self, field):
        self.named_reviewer()

    def validate_reviewer_url(self, field):
        self.named_reviewer()
        one_http_url(self, field)


def valid_timezone(form, field):
    if field.data not in available_timezones():
        raise ValidationError(
            "Unknown time zone. Use a name such as Europe/London or America/New_York."
        )


def http_urls(form, field):
    for line in (field.data or "").splitlines():
        url = line.strip()
        if not url:
            continue
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unclosed IPv6 bracket
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
            raise ValidationError(f"“{url}” is not a web address starting with https://.")


def one_http_url(form, field):
    """One web address (http or https), on one line, with no invisible characters (control
    or format characters such as a right-to-left override, which disguise an address)."""
    if any(
        character.isspace() or unicodedata.category(character) in ("Cc", "Cf")
        for character in (field.data or "").strip()
    ):
        raise ValidationError(
            "Give one web address starting with https://, without spaces or invisible characters."
        )
    http_urls(form, field)


class MenuItemForm(Form):
    """One line of the menu on the Settings page (its label comes from the key)."""

    key = HiddenField()
    shown = BooleanField("Show")
    position = IntegerField(
        "Position",
        validators=[Optional(), NumberRange(1, 99, "Enter a position from 1 to 99.")],
    )


class SettingsForm(FlaskForm):
    site_title = StringField(
        "Site title", validators=[DataRequired("The site needs a title."), Length(max=120)]
    )
    tagline = StringField("Tagline", validators=[Optional(), Length(max=200)])
    timezone = StringField(
        "Time zone",
        validators=[DataRequired("Choose a time zone."), valid_timezone],
        filters=[lambda value: value.strip() if value else value],
    )
    about_md = TextAreaField("About page")
    name = StringField(
        "Your name", validators=[DataRequired("Readers need to know who writes."), Length(max=120)]
    )
    credentials = StringField("Credentials", validators=[Optional(), Length(max=160)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=160)])
    bio_md = TextAreaField("Short biography")
    disclaimer = TextAreaField("Medical disclaimer", validators=[Optional(), Length(max=2000)])
    comments_enabled = BooleanField("Readers can comment")
    moderation = RadioField(
        "New comments",
        choices=[
            SelectChoice(
                Moderation.HOLD_FIRST, "Hold comments from first-time commenters for approval"
            ),
            SelectChoice(Moderation.HOLD_ALL, "Hold every comment for approval"),
            SelectChoice(Moderation.OPEN, "Publish comments at once"),
        ],
        default=Moderation.HOLD_FIRST,
    )
    close_comments_after_days = IntegerField(
        "Close comments after (days)",
        validators=[Optional(), NumberRange(1, 3650, "Enter a number of days from 1 to 3650.")],
    )
    show_views = BooleanField("Show view counts on posts")
    show_likes = BooleanField("Show likes on posts")
    review_after_months = IntegerField(
        "Remind me to review a post after (months)",
        default=REVIEW_AFTER_MONTHS,
        filters=[lambda value: REVIEW_AFTER_MONTHS if value is None else value],
        validators=[Optional(), NumberRange(1, 120, "Enter a number of months from 1 to 120.")],
    )
    blocklist = TextAreaField("Blocked words, sites and addresses")
    same_as = TextAreaField("Your profiles elsewhere", validators=[http_urls])
    short_bio = StringField("One-line bio", validators=[Optional(), Length(max=200)])
    title_with_logo = BooleanField("Show the site title beside the logo")
    menu = FieldList(FormField(MenuItemForm), max_entries=200)
    mail_sender_name = StringField(
        "Sender name", filters=[one_line], validators=[Optional(), Length(max=120)]
    )
    mail_sender_address = email_field("Sender address")
    mail_full_text = RadioField(
        "New-post mail carries",
        choices=[
            SelectChoice("1", "The whole post"),
            SelectChoice("", "The excerpt, with a link to the post"),
        ],
        coerce=lambda value: value in (True, "1", "True", "true"),
        default="1",
    )


class PictureForm(FlaskForm):
    """A headshot, logo or favicon for the Settings page."""

    file = FileField("Image file", validators=[FileRequired("Choose an image file to upload.")])


class PageForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the page a title."), Length(max=200)]
    )
    slug = StringField("Address (slug)", validators=[Optional(), Length(max=200)])
    body = TextAreaField("Text", filters=[normalize_newlines], validators=[post_size])
    status = RadioField(
        "Status",
        choices=[
            SelectChoice(PageStatus.DRAFT, "Draft: only you can see it"),
            SelectChoice(PageStatus.PUBLISHED, "Published"),
        ],
        default=PageStatus.DRAFT,
    )
    in_menu = BooleanField("Show in the menu")


class TwoStepCodeForm(FlaskForm):
    code = StringField(
        "Code from the app", validators=[DataRequired("Enter the six-digit code."), Length(max=20)]
    )
    password = PasswordField(
        "Your password", validators=[DataRequired("Enter your password to confirm.")]
    )


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        "Your password", validators=[DataRequired("Enter your password to confirm.")]
    )


class PasswordForm(FlaskForm):
    current = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a new password."), Length(max=200), strong_password],
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("password", "The two new passwords differ."),
        ],
    )

    def personal_words(self) -> list[str]:
        return [current_user.name, current_user.email or ""]


class ReviewLinkForm(FlaskForm):
    label = StringField("Who is it for? (optional)", validators=[Optional(), Length(max=80)])


class ReviewerForm(FlaskForm):
    """A colleague who reviews posts, as the reviewers page adds or corrects them."""

    name = StringField(
        "Name",
        filters=[one_line],
        validators=[DataRequired("Give the reviewer's name."), Length(max=120)],
    )
    credentials = StringField(
        "Credentials", filters=[one_line], validators=[Optional(), Length(max=160)]
    )
    url = StringField(
        "Profile page", filters=[strip], validators=[Optional(), Length(max=500), one_http_url]
    )

    def details(self) -> NewReviewer:
        return NewReviewer(self.name.data, self.credentials.data or "", self.url.data or "")


class NextForm(FlaskForm):
    """A one-button action that says where to go back to."""

    next = HiddenField()


# -- Moderation ---------------------------------------------------------------------------


class ModerationForm(FlaskForm):
    """One-button moderation actions: the CSRF token and the tab to return to."""

    tab = HiddenField()


class BulkForm(FlaskForm):
    tab = HiddenField()
    ids = SelectMultipleField(coerce=row_id, validate_choice=False)
    action = SelectField(
        "With the selected comments",
        choices=[
            SelectChoice("approve", "Approve"),
            SelectChoice("spam", "Mark as spam"),
            SelectChoice("delete", "Delete"),
        ],
        validators=[InputRequired()],
    )


class ReplyForm(FlaskForm):
    tab = HiddenField()
    body = comment_text("Your reply", "Please write your reply.", rows=4)


class EraseForm(FlaskForm):
    tab = HiddenField()
    email = email_field("Email address", "Enter the email address to erase.")


class SubscriberImportForm(FlaskForm):
    file = FileField("A CSV file of email addresses", validators=[FileRequired("Choose a file.")])
    consented = BooleanField(
        "These people agreed to get new posts from me by email (don't ask them to confirm)"
    )


class ResumeAddressForm(FlaskForm):
    address = HiddenField(validators=[DataRequired(), Length(max=254)])


# -- Media library ------------------------------------------------------------------------

ALT_MAX = 500
ALT_REQUIRED = (
    "Alt text is required: describe the image in a few words for readers who can't see it."
)


class AltField(StringField):
    """Alt text, trimmed; a blank one counts as missing."""

    def __init__(self, label="Alt text", **kwargs):
        super().__init__(
            label,
            filters=[lambda value: " ".join(value.split()) if value else value],
            validators=[
                DataRequired(ALT_REQUIRED),
                Length(max=ALT_MAX, message=f"Keep alt text under {ALT_MAX} characters."),
            ],
            **kwargs,
        )


class UploadForm(FlaskForm):
    file = FileField("Image", validators=[FileRequired("Choose an image file to upload.")])
    alt = AltField()
    caption = StringField(
        "Caption",
        validators=[Optional(), Length(max=300, message="Keep the caption under 300 characters.")],
    )


class ImportForm(FlaskForm):
    """The Import page: an export file, or a Wix site's address."""

    file = FileField("Export file")
    address = StringField(
        "Or your Wix site's address",
        validators=[Optional(), Length(max=500), http_urls],
        filters=[strip],
    )
    pages_as = RadioField(
        "Pages (About, Contact…)",
        choices=[
            SelectChoice("about", "The page named About becomes your About page"),
            SelectChoice("posts", "Every page becomes a post"),
        ],
        default="about",
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        has_file = bool(self.file.data and getattr(self.file.data, "filename", ""))
        if has_file == bool(self.address.data):
            self.file.errors.append(
                "Choose an export file, or enter your Wix site's address (one of the two)."
            )
            return False
        return True


class AltForm(FlaskForm):
    alt = AltField(widget=TextArea())
