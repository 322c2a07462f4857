"""Where to go after signing in: only one of our own pages."""

from django.utils.http import url_has_allowed_host_and_scheme


def next_url_of(request, value: str | None = None) -> str:
    """The page to go back to after signing in, if it is one of ours; else an empty string."""
    value = value if value is not None else request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""
