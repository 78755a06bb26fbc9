"""Building and reading index generations (the Chroma collections and the files beside them)."""
