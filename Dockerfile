# The production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext fonts-dejavu-core \
    fonts-sil-abyssinica libpango-1.0-0 libpangoft2-1.0-0 xmlsec1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . \
    && DEBUG=1 python manage.py compilemessages --ignore=.venv \
    && DEBUG=1 STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
       python manage.py collectstatic --noinput
# Exported documents (MEDIA_ROOT, a volume in docker-compose.yml): the app's user only.
RUN useradd --system app && install -d -o app -m 0700 /app/media
USER app
EXPOSE 8000
CMD ["gunicorn", "kelayhteistyo.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
