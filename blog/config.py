"""Default settings. instance/config.py overrides them, then BLOG_* environment variables.

Every name here can be set as an environment variable with the BLOG_ prefix, for
example ``BLOG_DATABASE_URL=postgresql+psycopg://blog@/blog`` or
``BLOG_MAX_UPLOAD_MB=20``. Values are parsed as JSON where they can be
(numbers, true/false), as strings otherwise.
"""

# Set by instance/config.py (written by `make run`) or BLOG_SECRET_KEY. Never committed.
SECRET_KEY = None

# Empty means the SQLite file instance/blog.sqlite3.
DATABASE_URL = ""
# Seconds a SQLite connection waits for a lock before giving up.
SQLITE_BUSY_TIMEOUT = 10

# Public address used in feeds, sitemaps and structured data when set
# (e.g. "https://example.org"); otherwise taken from the request.
SITE_URL = ""

POSTS_PER_PAGE = 10
FEED_SIZE = 20

# Request sizes. The editor and uploads take up to MAX_UPLOAD_MB; every other form
# (comments, likes, sign-in, setup) at most FORM_MAX_KB. A post's Markdown is capped at
# MAX_POST_KB (about 50,000 words), a comment at 5,000 characters.
FORM_MAX_KB = 64
MAX_POST_KB = 300

# Rendering text from outside runs in a child process with these budgets (seconds of
# CPU time, and memory), so no input can hold a CPU: a comment, a post (the author's
# own, at MAX_POST_KB). A request waits for it three times as long in wall time, and a
# second more.
# RENDER_IN_PROCESS = True skips the child process (unbounded; for debugging).
COMMENT_RENDER_SECONDS = 0.2
POST_RENDER_SECONDS = 2
RENDER_MEMORY_MB = 256
RENDER_IN_PROCESS = False

# Uploads
MAX_UPLOAD_MB = 10
MEDIA_DIR = ""  # empty: instance/media
MAX_IMAGE_PIXELS = 40_000_000

# Rate limits (Flask-Limiter). memory:// suits one gunicorn host; use redis:// beyond.
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
LOGIN_RATE_LIMIT = "5 per minute; 30 per hour"
SETUP_RATE_LIMIT = "5 per minute; 20 per hour"
COMMENT_RATE_LIMIT = "5 per minute; 30 per day"
LIKE_RATE_LIMIT = "30 per minute; 300 per day"

# Comments
COMMENT_MIN_SECONDS = 3  # a form sent faster than this is a bot
COMMENT_MAX_AGE_HOURS = 48  # a form older than this must be reloaded
COMMENT_MAX_LINKS = 2  # more links than this holds the comment for moderation
SPAM_PURGE_DAYS = 30
IP_HASH_DAYS = 30  # reader IP hashes are erased after this many days

# Mail: notifications are sent when MAIL_SERVER is set, logged otherwise.
MAIL_SERVER = ""
MAIL_PORT = 587
MAIL_USERNAME = ""
MAIL_PASSWORD = ""
MAIL_USE_TLS = True
MAIL_USE_SSL = False
MAIL_FROM = ""
MAIL_TIMEOUT = 10

# Password hashing (werkzeug). Empty: scrypt, or a cheap hash when TESTING is on.
PASSWORD_HASH_METHOD = ""

# Cookies. Set SESSION_COOKIE_SECURE = True (BLOG_SESSION_COOKIE_SECURE=true) behind HTTPS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

# Number of reverse proxies in front of the app (nginx: 1) whose X-Forwarded-* to trust.
PROXY_COUNT = 0

# Seconds shared caches and browsers may keep public pages.
PUBLIC_CACHE_SECONDS = 60
