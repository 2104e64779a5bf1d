from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm

from linli.accounts.services import user_login_attempt
from linli.core.errors import ApplicationError


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login goes through the same service as the login page (lockout, audit)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = user_login_attempt(
                    request=self.request, username=username, password=password
                )
            except ApplicationError:
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
