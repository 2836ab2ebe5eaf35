from django.db import models

from shared_apps.accounts.fields import user_reference

REQUEST_KEPT_CHARS = 2000


class AuditKind(models.TextChoices):
    CHAT = "chat", "Chat"
    ACTIONS = "actions", "Actions"


class AIAuditEntry(models.Model):
    """One call to the assistant: who asked what, what it answered or proposed, and what the
    executed (or dry-run) actions did."""

    user = user_reference()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=8, choices=AuditKind.choices)
    provider = models.CharField(max_length=16, blank=True)
    request = models.TextField(blank=True, help_text=f"Trimmed to {REQUEST_KEPT_CHARS} characters.")
    reply = models.TextField(blank=True)
    proposed_actions = models.JSONField(default=list, blank=True)
    executed_actions = models.JSONField(
        default=list, blank=True, help_text="The actions sent to `ai/actions/` and their results."
    )
    dry_run = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "AI audit entries"

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"
