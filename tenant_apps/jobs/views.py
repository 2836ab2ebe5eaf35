from rest_framework import mixins, viewsets

from shared_apps.accounts.roles import ALL_ROLES

from .models import BackgroundJob


class OwnJobsViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Background jobs of one kind (`job_model`): each user starts, lists and polls their own.
    Every role may start one; what a job may do is checked by its service."""

    job_model: type[BackgroundJob]
    read_roles = write_roles = ALL_ROLES

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.job_model.objects.none()
        return self.job_model.objects.filter(created_by=self.request.user)
