# The newsflow image: the official Airflow 3.3.2 image plus our pinned dependencies and package.
FROM apache/airflow:3.3.2-python3.11

COPY --chown=airflow:0 requirements.lock pyproject.toml README.md /opt/newsflow/
COPY --chown=airflow:0 include /opt/newsflow/include
# The lock pins the same apache-airflow as the base image, so pip keeps the image's Airflow.
RUN pip install --no-cache-dir -r /opt/newsflow/requirements.lock \
 && pip install --no-cache-dir --no-deps -e /opt/newsflow
