"""The first-run setup and sign-in forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from blog.accounts.authors import strong_password
from blog.posts.samples import KEEP_AS_DRAFTS, START_EMPTY
from blog.posts.trash import sample_post_count


class SetupForm(FlaskForm):
    token = StringField(
        "Setup token", validators=[DataRequired("Paste the token from the server log.")]
    )
    name = StringField("Your name", validators=[DataRequired("Enter your name."), Length(max=120)])
    credentials = StringField("Credentials", validators=[Length(max=160)])
    email = EmailField(
        "Email", validators=[DataRequired("Enter your email address."), Email(), Length(max=254)]
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Choose a password."), Length(max=200), strong_password],
    )
    # Either way the sample posts leave the public site now; a form without it keeps them.
    sample_posts = RadioField(
        "The sample posts",
        choices=[
            SelectChoice(KEEP_AS_DRAFTS, "Keep the samples as drafts to look at"),
            SelectChoice(START_EMPTY, "Start empty"),
        ],
        default=KEEP_AS_DRAFTS,
    )

    def personal_words(self) -> list[str]:
        return [self.name.data or "", self.email.data or "", self.credentials.data or ""]

    def has_samples(self) -> bool:
        return sample_post_count() > 0


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Keep me signed in on this device")


class TwoStepForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired("Enter the code from your app."), Length(max=40)],
    )
