"""Getting documents into the library: PDF loading and validation, chunking, the ingest pipeline."""
