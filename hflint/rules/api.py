"""HF304 and HF5xx — names and arguments of the transformers API, checked against the target version."""
