"""The loadwatch dashboard: a runner's view and a coach's view (Dash).

Build the app with :func:`dashboards.app.create_app`; ``loadwatch serve`` and
``loadwatch demo`` run it. Importing this package loads no data.
"""
