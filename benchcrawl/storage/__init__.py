"""Where results are stored: versioned sweep archives (and, for broad crawls, WARC files)."""
