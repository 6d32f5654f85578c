"""journeymap: find where a customer journey has become fragile."""

__version__ = "0.1.0"
