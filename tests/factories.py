import factory

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role

PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.GUEST
    language = "en"  # so that assertions read English messages; one test checks Russian
    password = factory.django.Password(PASSWORD)
