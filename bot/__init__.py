"""Citizen chatbot of the Kommunales Integrationszentrum Rhein-Sieg-Kreis."""

__version__ = "0.1.0"
