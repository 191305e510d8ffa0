def axes_username(request, credentials):
    """Lock-outs count per lower-cased email, whichever form or API the attempt came through."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()
