from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import generics
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.accounts.roles import ADMINS, ALL_ROLES
from shared_apps.core.openapi import error_response, search_validation_errors
from shared_apps.core.permissions import RolePermission

from . import services
from .filters import AuditEntryFilter
from .models import AIAuditEntry
from .serializers import (
    ActionsInputSerializer,
    ActionsOutputSerializer,
    AuditEntrySerializer,
    ChatInputSerializer,
    ChatOutputSerializer,
)


class AIEnabled(BasePermission):
    """Every AI endpoint answers 403 `ai_disabled` while the company has the assistant off."""

    message = _("The AI assistant is turned off for this company.")
    code = "ai_disabled"

    def has_permission(self, request, view) -> bool:
        return services.ai_enabled()


# The assistant turned off for the company; the audit log also refuses roles other than admins.
AI_DISABLED = error_response(403, ["ai_disabled"])
FORBIDDEN = error_response(403, ["permission_denied", "ai_disabled"])


class AIView(APIView):
    permission_classes = [RolePermission, AIEnabled]


class ChatView(AIView):
    """Ask the assistant. It reads the company's data through the reports' selectors and may
    propose actions; it never writes."""

    read_roles = write_roles = ALL_ROLES

    @extend_schema(
        summary="Ask the assistant",
        description="The assistant answers from this company's data, with the numbers of the "
        "reports, within what the caller's role may read. It may propose `actions`, which it "
        "never carries out: send them to `ai/actions/`. `data` holds the numbers behind the reply "
        "for the UI to draw; its `kind` says which shape it has.",
        request=ChatInputSerializer,
        responses={
            200: ChatOutputSerializer,
            403: AI_DISABLED,
            503: error_response(503, ["ai_unavailable"]),
        },
    )
    def post(self, request):
        payload = ChatInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        # The request's language: the user's own, unless `Accept-Language` names another.
        chat_request = payload.to_request(request.user, request_language=translation.get_language())
        reply = services.chat_answer(user=request.user, request=chat_request)
        body = {"reply": reply.reply, "actions": reply.actions, "data": reply.data}
        return Response(ChatOutputSerializer(body).data)


# Raised by ActionSerializer.validate() and by the list's `max_length`, which
# drf-standardized-errors does not see.
@extend_validation_errors(["required"], field_name="actions.INDEX.id")
@extend_validation_errors(["max_length"], field_name="actions.non_field_errors")
class ActionsView(AIView):
    """Execute (or, with `dry_run`, only check) actions, each with the rights, validation and
    services of the REST API; each is reported with its before/after or its errors."""

    read_roles = write_roles = ALL_ROLES  # each action is checked against its resource's roles

    @extend_schema(
        summary="Carry out proposed actions",
        description="Carry out (or, with `dry_run`, only check) actions, each with the same "
        "permissions and validation as the matching REST endpoint; each result has the record "
        "before and after, or its errors. A failed action does not undo the others; a dry run "
        "makes every check, database constraints included, and keeps nothing.",
        request=ActionsInputSerializer,
        responses={200: ActionsOutputSerializer, 403: AI_DISABLED},
    )
    def post(self, request):
        payload = ActionsInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        dry_run = payload.validated_data["dry_run"]
        results = services.actions_run(
            user=request.user,
            actions=payload.validated_data["actions"],
            dry_run=dry_run,
            context={"request": request},
        )
        return Response(ActionsOutputSerializer({"dry_run": dry_run, "results": results}).data)


@extend_schema_view(
    get=extend_schema(
        summary="List the assistant's audit log",
        description="What was asked of the assistant and what it did (company admins only).",
        responses={200: AuditEntrySerializer(many=True), 403: FORBIDDEN},
    )
)
@search_validation_errors(methods=["get"])
class AuditLogView(generics.ListAPIView):
    """What was asked of the assistant and what it did (COMPANY_ADMIN)."""

    permission_classes = [RolePermission, AIEnabled]
    read_roles = ADMINS
    serializer_class = AuditEntrySerializer
    queryset = AIAuditEntry.objects.select_related("user")
    filterset_class = AuditEntryFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
