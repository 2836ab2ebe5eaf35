"""What gunicorn serves during the API benchmark: the project itself (config.urls_tenant) plus two
bare baseline views. Used only by ./scripts/bench."""
