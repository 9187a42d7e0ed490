"""loadwatch: a self-hosted training-load monitor for runners.

loadwatch imports runs from wearables, computes training-load metrics and
shows them next to back-pain scores. It informs; it is not medical advice.
"""

__version__ = "0.1.0"
