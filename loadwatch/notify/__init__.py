"""The warning that reaches you: ``loadwatch notify``.

- :func:`loadwatch.notify.findings.findings_for` -> what the planned days ahead would raise.
- :mod:`loadwatch.notify.render` -> the words of every message (one place).
- :func:`loadwatch.notify.run.notify_athletes` -> send what is new, remember it;
  :func:`loadwatch.notify.run.send_digest` -> the coach's weekly digest.
- :mod:`loadwatch.notify.deliver` -> delivery through Apprise.
- :mod:`loadwatch.notify.config` -> the ``[notify]`` section of the config file.
"""
