"""Forms of the media library and the upload endpoint."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import TextArea

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


class AltForm(FlaskForm):
    alt = AltField(widget=TextArea())


class DeleteForm(FlaskForm):
    """One-button action: only the CSRF token."""
