FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_VAR_DIR=/var/lib/housing
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei chromium libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk fonts-arphic-uming fonts-arphic-ukai poppler-utils && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_SECRET_KEY=build DJANGO_DEBUG=false python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "housing.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
