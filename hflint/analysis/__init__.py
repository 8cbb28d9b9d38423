"""Facts about a module that every rule reads: imports, scopes, bindings, Hugging Face objects and their uses."""
