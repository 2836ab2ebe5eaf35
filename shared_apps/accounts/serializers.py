from django.utils.text import capfirst
from rest_framework import serializers

from shared_apps.dictionaries.fields import DictionaryCodeField
from shared_apps.dictionaries.models import DictionaryKind

from .models import User
from .roles import Role


class UserSerializer(serializers.ModelSerializer):
    """A company user as the API shows it."""

    # DRF drops `allow_blank` from read-only fields; declared so that the schema allows "".
    email = serializers.EmailField(
        read_only=True, allow_blank=True, label=capfirst(User._meta.get_field("email").verbose_name)
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "region",
            "language",
            "is_active",
            "last_login",
            "date_joined",
        ]
        read_only_fields = fields


class UserCreateSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True, max_length=128, style={"input_type": "password"}
    )
    role = serializers.ChoiceField(choices=Role.choices)
    region = DictionaryCodeField(kind=DictionaryKind.REGIONS, required=False, allow_blank=True)

    class Meta:
        model = User
        fields = [
            "username",
            "password",
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "region",
            "language",
        ]


class UserUpdateSerializer(serializers.ModelSerializer):
    """What a COMPANY_ADMIN may change on a user of the company; `password` sets a new one."""

    password = serializers.CharField(
        write_only=True, required=False, max_length=128, style={"input_type": "password"}
    )
    region = DictionaryCodeField(kind=DictionaryKind.REGIONS, required=False, allow_blank=True)

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "region",
            "language",
            "is_active",
            "password",
        ]


class MeSerializer(serializers.ModelSerializer):
    """The logged-in user's own profile; role, company and active flag are read-only."""

    company = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    region = DictionaryCodeField(kind=DictionaryKind.REGIONS, required=False, allow_blank=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "language",
            "region",
            "notify_email",
            "role",
            "company",
            "is_active",
        ]
        read_only_fields = ["id", "username", "role", "company", "is_active"]


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128, style={"input_type": "password"}, trim_whitespace=False
    )


class LoginResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    user = MeSerializer()


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2048)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
