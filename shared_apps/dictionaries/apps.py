from django.apps import AppConfig


class DictionariesConfig(AppConfig):
    name = "shared_apps.dictionaries"
    label = "dictionaries"
    verbose_name = "Dictionaries"
