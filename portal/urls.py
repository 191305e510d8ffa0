from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from partners.api import OrganisationViewSet, RegistrationViewSet
from portal.accounts import api as accounts_api
from portal.accounts import views as accounts_views
from proposals.api import CallViewSet, MissionViewSet, ProposalViewSet
from proposals.review.api import AssignmentViewSet, ReviewerViewSet, ReviewViewSet

from . import views

router = DefaultRouter()
# No ".json" twin of every route: it hands the extra actions a `format` argument they do not take (a 500).
router.include_format_suffixes = False
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("missions", MissionViewSet, basename="mission")
router.register("calls", CallViewSet, basename="call")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("reviewers", ReviewerViewSet, basename="reviewer")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("reviews", ReviewViewSet, basename="review")

api_patterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("me/", accounts_api.me, name="me"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include("portal.accounts.urls")),
    path("accounts/security/", include("portal.security.urls")),
    path("accounts/passkeys/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path("", include("portal.notifications.urls")),
    path("", include("partners.urls")),
    path("", include("proposals.urls")),
    path("", include("portal.dashboard.urls")),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("api/v1/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI sets inline styles as it draws; its scripts still come from the portal only.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

if settings.BENCH_HELLO:
    urlpatterns.append(path("bench/hello", views.bench_hello, name="bench_hello"))

handler404 = "portal.api.not_found"
handler400 = "portal.views.bad_request"
