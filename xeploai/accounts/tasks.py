"""Mails about signing in, sent by the background worker (`xeploai db_worker`): the page that
asks for one answers as fast whether or not an account will receive it, so that its timing
tells nobody which addresses and usernames exist."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import send_mail
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django_tasks import task

from .models import User

RESET_SUBJECT = "accounts/mail/password_reset_subject.txt"
RESET_BODY = "accounts/mail/password_reset.txt"


def named(field: str, value: str) -> Iterator[User]:
    """Active users whose `field` is `value` whatever its case. Not `__iexact`: on SQLite it
    is a LIKE, which the settings make case-sensitive (for the unit path's index)."""
    return iter(
        User.objects.alias(folded=Lower(field)).filter(folded=value.lower(), is_active=True)
    )


class ResetMailer(PasswordResetForm):
    """Django's reset form, finding the accounts of an address whatever its case."""

    def get_users(self, email: str) -> Iterator[User]:
        return (user for user in named("email", email) if user.has_usable_password())


@task()
def mail_reset_links(email: str, domain: str, use_https: bool) -> None:
    """A password reset link to each active account with this address (Django's form makes
    the one-time tokens)."""
    form = ResetMailer({"email": email})
    if form.is_valid():
        form.save(
            domain_override=domain,
            use_https=use_https,
            subject_template_name=RESET_SUBJECT,
            email_template_name=RESET_BODY,
        )


@task()
def mail_unlock_link(username: str, link: str) -> None:
    """The link that lifts the lock on `username` to the accounts it names (usernames are
    counted case-insensitively, so it may name more than one)."""
    for user in named("username", username):
        if not user.email:
            continue
        context = {"user": user, "link": link}
        subject = render_to_string("accounts/mail/unlock_subject.txt", context).strip()
        body = render_to_string("accounts/mail/unlock.txt", context)
        send_mail(subject, body, None, [user.email])
