"""The first-run setup and sign-in forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from blog.accounts.authors import strong_password


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

    def personal_words(self) -> list[str]:
        return [self.name.data or "", self.email.data or "", self.credentials.data or ""]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Keep me signed in on this device")


class TwoStepForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired("Enter the code from your app."), Length(max=40)],
    )
