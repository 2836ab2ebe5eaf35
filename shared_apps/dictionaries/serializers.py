from rest_framework import serializers


class DictionaryItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="In the user's language (ru, en or ky).")


class DictionariesSerializer(serializers.Serializer):
    regions = DictionaryItemSerializer(many=True)
    fuel_types = DictionaryItemSerializer(many=True)
    vehicle_types = DictionaryItemSerializer(many=True)
    brands = DictionaryItemSerializer(many=True)
    car_statuses = DictionaryItemSerializer(many=True)
    insurance_types = DictionaryItemSerializer(many=True)
    roles = DictionaryItemSerializer(many=True)
    languages = DictionaryItemSerializer(many=True)
    currencies = DictionaryItemSerializer(many=True)
