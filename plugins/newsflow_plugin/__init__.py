"""newsflow's Airflow UI: the News pages (FastAPI app + a nav entry), registered by newsflow_ui_plugin.py.

Airflow's plugin loader imports every .py file under plugins/ as a top-level module named after the file;
the .airflowignore next to this file keeps it to newsflow_ui_plugin.py, which imports this package normally.
"""
