"""The staff area: documents, uploads, index runs, feedback, gaps, contact card, audit log."""
