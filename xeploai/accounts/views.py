"""Signing in."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    """Django's login page with the throttled form."""

    authentication_form = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
