import zoneinfo

from django import forms

from shared_apps.core.choices import Language


class CompanyProvisionForm(forms.Form):
    """The platform admin's "Create company": the same inputs as `manage.py create_company`."""

    slug = forms.CharField(max_length=40, help_text="Subdomain and schema, e.g. 'acme'.")
    name = forms.CharField(max_length=200)
    admin_username = forms.CharField(max_length=150)
    admin_password = forms.CharField(widget=forms.PasswordInput, max_length=128)
    admin_email = forms.EmailField(required=False)
    domain = forms.CharField(
        max_length=253, required=False, help_text="Defaults to <slug>.<BASE_DOMAIN>."
    )
    currency = forms.CharField(max_length=3, initial="KGS")
    language = forms.ChoiceField(choices=Language.choices, initial=Language.RU)
    timezone = forms.ChoiceField(
        choices=[(tz, tz) for tz in sorted(zoneinfo.available_timezones())],
        initial="Asia/Bishkek",
    )
