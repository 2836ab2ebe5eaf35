from django.contrib import admin

from .models import DictionaryEntry
from .selectors import dictionaries_cache_clear


@admin.register(DictionaryEntry)
class DictionaryEntryAdmin(admin.ModelAdmin):
    list_display = ["kind", "code", "name_ru", "name_en", "name_ky", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_ru", "name_en", "name_ky"]
    list_editable = ["sort_order", "is_active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        dictionaries_cache_clear()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        dictionaries_cache_clear()
