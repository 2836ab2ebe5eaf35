from django.urls import path

from . import views

urlpatterns = [
    path("ai/chat/", views.ChatView.as_view(), name="ai-chat"),
    path("ai/actions/", views.ActionsView.as_view(), name="ai-actions"),
    path("ai/audit-log/", views.AuditLogView.as_view(), name="ai-audit-log"),
]
