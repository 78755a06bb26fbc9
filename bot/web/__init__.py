"""The web server: citizen chat page, request guards, rate limits and staff login."""
