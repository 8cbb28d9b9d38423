"""pytest plugin: runtime verification around tests (see hflint.runtime). Being built."""
