FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -e . && SECRET_KEY=build python manage.py collectstatic --noinput
ENV DJANGO_SETTINGS_MODULE=project.settings
EXPOSE 8000
