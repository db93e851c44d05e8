from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from blog.accounts import MIN_PASSWORD_LENGTH, weak_password_reason


def strong_password(form, field):
    reason = weak_password_reason(field.data or "")
    if reason:
        raise ValidationError(reason)


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


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


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


class EmptyForm(FlaskForm):
    """For one-button actions: only the CSRF token."""


HINT_PASSWORD = f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well."
