"""HF6xx — generation and training."""
