from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.generics import RetrieveUpdateAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.core.openapi import error_response, search_validation_errors
from shared_apps.core.permissions import RolePermission

from . import services, tokens
from .filters import UserFilter
from .models import User
from .roles import ADMINS, ALL_ROLES
from .serializers import (
    LoginResponseSerializer,
    LoginSerializer,
    MeSerializer,
    RefreshSerializer,
    TokenPairSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from .throttling import LoginIPThrottle, LoginUsernameThrottle

NO_ACTIVE_ACCOUNT = "no_active_account"
# A refused refresh token, whatever the code, means "log in again": expired; revoked (logged out,
# reused after its grace, password changed, user deactivated); not valid (malformed, forged,
# another company's).
TOKEN_REFUSED = error_response(401, list(tokens.TOKEN_ERROR_CODES))


class TokenEndpoint(APIView):
    """Base of the endpoints that take credentials or a refresh token in the body."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request) -> str:
        # Refusals here are 401 (with a challenge), as for a bad Bearer token.
        return 'Bearer realm="api"'


class LoginView(TokenEndpoint):
    """Exchange a username and password for a token pair bound to this company."""

    throttle_classes = [LoginIPThrottle, LoginUsernameThrottle]

    @extend_schema(
        summary="Log in",
        description="Exchange a username and password for a token pair bound to this company.",
        request=LoginSerializer,
        responses={200: LoginResponseSerializer, 401: error_response(401, [NO_ACTIVE_ACCOUNT])},
    )
    def post(self, request):
        credentials = LoginSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request, **credentials.validated_data)
        # A user of another company gets exactly the answer of a wrong password.
        if user is None or user.company_id != request.tenant.pk:
            raise AuthenticationFailed(
                _("No active account found with the given credentials."), code=NO_ACTIVE_ACCOUNT
            )
        pair = tokens.token_pair_for(user)
        update_last_login(None, user)
        return Response(
            {"access": pair.access, "refresh": pair.refresh, "user": MeSerializer(user).data}
        )


class RefreshView(TokenEndpoint):
    """Rotate a refresh token: the presented one is blacklisted, a new pair is returned. The
    same token presented again within 30 seconds gets the same pair; later, 401 `token_revoked`."""

    @extend_schema(
        summary="Refresh the token pair",
        description="Rotate a refresh token: a new pair is returned and the presented token is "
        "revoked. The same token presented again within 30 seconds of its rotation gets the same "
        "new pair (tabs refreshing at once); later it is refused with 401 `token_revoked`.",
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, 401: TOKEN_REFUSED},
    )
    def post(self, request):
        payload = RefreshSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        pair = tokens.refresh_token_rotate(
            raw_refresh=payload.validated_data["refresh"], company=request.tenant
        )
        return Response({"access": pair.access, "refresh": pair.refresh})


class LogoutView(TokenEndpoint):
    """Blacklist a refresh token. Access tokens expire by themselves within minutes."""

    @extend_schema(
        summary="Log out",
        description="Revoke a refresh token. Access tokens expire by themselves within minutes.",
        request=RefreshSerializer,
        responses={204: None, 401: TOKEN_REFUSED},
    )
    def post(self, request):
        payload = RefreshSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        tokens.refresh_token_revoke(
            raw_refresh=payload.validated_data["refresh"], company=request.tenant
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(summary="Get my profile"),
    patch=extend_schema(summary="Update my profile"),
)
class MeView(RetrieveUpdateAPIView):
    """The logged-in user's profile."""

    serializer_class = MeSerializer
    read_roles = write_roles = ALL_ROLES
    http_method_names = ["get", "patch", "options"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        serializer.instance = services.user_profile_update(
            user=serializer.instance, **serializer.validated_data
        )


@extend_schema_view(
    create=extend_schema(responses={201: UserSerializer}),
    update=extend_schema(responses={200: UserSerializer}),
    partial_update=extend_schema(responses={200: UserSerializer}),
    destroy=extend_schema(
        summary="Deactivate a user",
        description="The user can no longer log in; their records are kept. The company's last "
        "active admin cannot be deactivated.",
    ),
)
@search_validation_errors(actions=["list"])
# The company must keep an active COMPANY_ADMIN (services._ensure_company_keeps_an_admin).
@extend_validation_errors(
    ["last_company_admin"], field_name="role", actions=["update", "partial_update"]
)
@extend_validation_errors(
    ["last_company_admin"], field_name="is_active", actions=["update", "partial_update", "destroy"]
)
class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Users of this company, managed by its COMPANY_ADMIN. `DELETE` deactivates the user
    and keeps the row; a company can never be left without an active admin."""

    permission_classes = [RolePermission]
    read_roles = write_roles = ADMINS
    filterset_class = UserFilter
    search_fields = ["username", "first_name", "last_name", "email", "phone"]
    ordering_fields = ["id", "username", "last_name", "role", "date_joined", "last_login"]
    ordering = ["id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no tenant
            return User.objects.none()
        return User.objects.of_company(self.request.tenant)

    def get_serializer_class(self):
        if self.action == "create":
            return UserCreateSerializer
        if self.action in ("update", "partial_update"):
            return UserUpdateSerializer
        return UserSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(company=request.tenant, **serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        user = self.get_object()
        serializer = self.get_serializer(user, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=user, **serializer.validated_data)
        return Response(UserSerializer(user).data)

    def perform_destroy(self, instance):
        services.user_deactivate(user=instance)
