"""The bell: the user's own notifications, newest first, and marking them read."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shared_apps.accounts.roles import ALL_ROLES

from .models import Notification
from .serializers import NotificationSerializer


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", help_text="Only the unread ones (true)."
    )

    class Meta:
        model = Notification
        fields = ["unread"]


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Each user's own notifications; `unread_count` beside the page."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    read_roles = write_roles = ALL_ROLES  # everyone reads and marks their own
    lookup_value_regex = r"\d+"
    search_fields = []
    ordering_fields = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(recipient=self.request.user)

    def unread(self):
        return self.get_queryset().filter(read_at__isnull=True)

    @extend_schema(
        summary="List my notifications",
        responses=inline_serializer(
            "NotificationPage",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "unread_count": serializers.IntegerField(),
                "results": NotificationSerializer(many=True),
            },
        ),
    )
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread_count"] = self.unread().count()
        return response

    @extend_schema(
        summary="Mark a notification read", request=None, responses=NotificationSerializer
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all my notifications read",
        request=None,
        responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": self.unread().update(read_at=timezone.now())})
