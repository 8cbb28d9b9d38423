"""hflint: a linter for code that uses Hugging Face transformers."""
__version__ = "0.1.0"
