from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver
from django_otp_webauthn.models import WebAuthnCredential

from . import services


@receiver(user_logged_out, dispatch_uid="security.on_sign_out")
def on_sign_out(sender, request, user, **kwargs):
    if request is not None:
        services.forget_sign_in(request=request)


@receiver(post_save, sender=WebAuthnCredential, dispatch_uid="security.on_passkey")
def on_passkey(sender, instance, created, **kwargs):
    if created:
        services.passkey_added(credential=instance)


@receiver(user_logged_in, dispatch_uid="security.on_sign_in")
def on_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        services.record_sign_in(request=request, user=user)
