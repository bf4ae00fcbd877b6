"""The pipeline's stages as plain functions over a warehouse connection: what each Airflow task calls.

Every stage reads its work from the warehouse and writes its results there in transactions, returning only counts.
"""

from newsflow.pipeline.checks import run_data_checks
from newsflow.pipeline.feeds import fetch_feed_batch
from newsflow.pipeline.fetch_extract import fetch_extract_batch
from newsflow.pipeline.grouping import group_stories
from newsflow.pipeline.pages import fetch_page_batch, plan_pages
from newsflow.pipeline.runs import finish_run, prepare_run, record_stage

__all__ = [
    "fetch_extract_batch",
    "fetch_feed_batch",
    "fetch_page_batch",
    "finish_run",
    "group_stories",
    "plan_pages",
    "prepare_run",
    "record_stage",
    "run_data_checks",
]
