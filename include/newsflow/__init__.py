"""newsflow: fetch news feeds, clean articles, group stories, load a PostgreSQL warehouse.

The package never imports airflow, so every stage can be unit-tested and reused outside Airflow.
"""

__version__ = "0.1.0"
