"""Vector stores behind one small interface: Chroma (files or server) and in memory."""
