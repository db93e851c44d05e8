"""Moving a blog in from Wix, WordPress or Ghost: read what the old site publishes or
exports, bring its images through the upload pipeline, write posts, comments, tags and
redirects from every old address, and do it again later without duplicating anything."""
