// Once a passkey is added, show the Security page afresh so it is listed.
document.addEventListener("otp_webauthn.register_complete", () => window.location.reload());
