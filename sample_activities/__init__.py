"""The bundled sample activities (data only; see README.md here and generate.py)."""
