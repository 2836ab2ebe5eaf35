# Run by scripts/run inside devstack (services are up and in the environment).
set -euo pipefail
python manage.py migrate_schemas --shared --noinput -v 0
python manage.py migrate_schemas --tenant --noinput -v 0
python manage.py seed_demo
celery -A config worker --beat --loglevel=INFO --concurrency=2 \
  --schedule=.data/run/celerybeat-schedule &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT
echo
echo "Fleet API: http://demo.localhost:8000/api/docs/  (platform admin: http://localhost:8000/admin/)"
echo
python manage.py runserver 0.0.0.0:8000 --noreload
