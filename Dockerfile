# Airflow 3 image with the NHS leadership tracker installed (used by docker-compose.yml).
#   docker build -t nhs-leadership-tracker-airflow .
FROM apache/airflow:3.3.2-python3.11

USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /opt/tracker /opt/tracker-src /opt/airflow/auth \
 && chown -R airflow:0 /opt/tracker /opt/tracker-src /opt/airflow/auth \
 && chmod -R g+rwX /opt/tracker /opt/airflow/auth
# Named volumes mounted on /opt/tracker and /opt/airflow/auth start with this ownership.
USER airflow

# The project source stays in the image: the SQL migrations/views (TRACKER_SQL_DIR), the sample
# archive and scripts/check_deploy_secrets.py are read from it. The project is installed with pip
# together with the pinned Airflow extra (apache-airflow==3.3.2, the Celery and FAB providers, redis,
# psycopg2) under constraints.txt, the same pins the tests ran against, so pip cannot move anything.
# It installs over the image's own packages: `pip check` fails the build if that left any requirement broken.
COPY --chown=airflow:0 . /opt/tracker-src
RUN pip install --no-cache-dir -c /opt/tracker-src/constraints.txt "/opt/tracker-src[airflow]" && pip check

COPY --chown=airflow:0 dags/ /opt/airflow/dags/
COPY --chown=airflow:0 plugins/ /opt/airflow/plugins/

ENV TRACKER_HOME=/opt/tracker \
    TRACKER_SQL_DIR=/opt/tracker-src/sql
