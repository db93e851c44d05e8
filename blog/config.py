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
# second more. A post at MAX_POST_KB of ordinary writing takes 1.3 to 3 s of CPU on a
# small server; only the signed-in author can send one, so its budget leaves room for it.
# RENDER_IN_PROCESS = True skips the child process (unbounded; for debugging).
COMMENT_RENDER_SECONDS = 0.2
POST_RENDER_SECONDS = 5
RENDER_MEMORY_MB = 256
RENDER_IN_PROCESS = False

# Uploads
MAX_UPLOAD_MB = 10
MEDIA_DIR = ""  # empty: instance/media
MAX_IMAGE_PIXELS = 40_000_000

# Moving in from Wix, WordPress or Ghost (`flask import-site`, the Import page): the
# largest export file or zip (also its unpacked size and an uploaded file), and the
# seconds a download may wait to connect or for its next bytes. Images keep MAX_UPLOAD_MB.
IMPORT_MAX_MB = 200
IMPORT_TIMEOUT = 20

# Rate limits (Flask-Limiter). memory:// counts in each gunicorn worker, so with the
# shipped 2 workers a client may get up to twice each limit; redis:// counts once for
# every worker and host. No X-RateLimit-* headers: they are one client's, and readers'
# pages are shared (a refusal says how long to wait in its page and Retry-After).
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = False
# A limiter that fails (its storage unreachable, a race in it) logs and lets the request
# through: a reader's page never fails for want of a count.
RATELIMIT_SWALLOW_ERRORS = True
# Sign-in (password or two-step code): failures allowed per day from one network (an
# IPv4 address or an IPv6 /64) and against one account before each further attempt waits
# 30 s, then twice as long each time (at most an hour for a network, 15 minutes for the
# account). Kept in the database, so every worker and restart sees them.
SIGN_IN_FREE_PER_NETWORK = 10
SIGN_IN_FREE_PER_ACCOUNT = 5
SETUP_RATE_LIMIT = "5 per minute; 20 per hour"
COMMENT_RATE_LIMIT = "5 per minute; 30 per day"
LIKE_RATE_LIMIT = "30 per minute; 300 per day"
# Searches from one network that run a full-text query (a repeat that a worker answers
# from memory isn't counted): a stranger's made-up searches get a cheap refusal instead of
# a query each. Counted by each worker (see RATELIMIT_STORAGE_URI).
SEARCH_RATE_LIMIT = "30 per minute; 300 per hour"

# Comments
COMMENT_MIN_SECONDS = 3  # a form sent faster than this is a bot
COMMENT_MAX_AGE_HOURS = 48  # a form older than this must be reloaded
COMMENT_MAX_LINKS = 2  # more links than this holds the comment for moderation
SPAM_PURGE_DAYS = 30
IP_HASH_DAYS = 30  # reader IP hashes are erased after this many days

# Mail. With MAIL_SERVER empty nothing is sent: the author's comment notices are logged
# and the subscribe form is not shown. Mail is queued in the database and sent by the
# worker, `flask mail work` (deploy/rounds-mail.service; `make run` starts it too).
MAIL_SERVER = ""
MAIL_PORT = 587
MAIL_USERNAME = ""
MAIL_PASSWORD = ""
MAIL_USE_TLS = True
MAIL_USE_SSL = False
# The sender when Settings names none (and the envelope sender of every mail).
MAIL_FROM = ""
MAIL_TIMEOUT = 10
# The worker sends at most MAIL_RATE_PER_MINUTE mails a minute (small SMTP plans cap
# this), and looks at the queue every MAIL_POLL_SECONDS. A mail the server defers (4xx,
# or no connection) is tried again after MAIL_RETRY_SECONDS, twice as long each time (at
# most six hours), MAIL_MAX_ATTEMPTS times in all. An address the receiving side refuses
# (5xx) MAIL_PAUSE_AFTER_FAILURES times in a row is paused until the author resumes it.
MAIL_RATE_PER_MINUTE = 60
MAIL_POLL_SECONDS = 15
MAIL_RETRY_SECONDS = 60
MAIL_MAX_ATTEMPTS = 8
MAIL_PAUSE_AFTER_FAILURES = 3
# A mail claimed by a worker that stopped (killed, crashed) is sent again after this long.
MAIL_CLAIM_SECONDS = 120
# Sent and failed mails stay in the author's mail log this many days (`flask purge`).
MAIL_LOG_DAYS = 30
# Subscribing: the confirmation link works this many days; the form's rate limit per
# reader network (an address also gets at most one confirmation mail a day).
SUBSCRIBE_CONFIRM_DAYS = 7
SUBSCRIBE_RATE_LIMIT = "5 per minute; 20 per day"

# Password hashing (werkzeug). Empty: scrypt, or a cheap hash when TESTING is on.
PASSWORD_HASH_METHOD = ""

# Cookies. Set SESSION_COOKIE_SECURE = True (BLOG_SESSION_COOKIE_SECURE=true) behind HTTPS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

# The author's sessions, kept on the server: signed out after SESSION_IDLE_MINUTES without
# a request (REMEMBER_IDLE_DAYS with "keep me signed in"), and SESSION_MAX_DAYS after
# signing in whatever happens.
SESSION_IDLE_MINUTES = 240
REMEMBER_IDLE_DAYS = 14
SESSION_MAX_DAYS = 30

# Number of reverse proxies in front of the app (nginx: 1) whose X-Forwarded-* to trust.
PROXY_COUNT = 0

# Seconds shared caches and browsers may keep public pages, and then go on showing the
# kept copy while they fetch a new one (stale-while-revalidate). A new comment or an edit
# reaches every reader within PUBLIC_CACHE_SECONDS + PUBLIC_STALE_SECONDS.
PUBLIC_CACHE_SECONDS = 60
PUBLIC_STALE_SECONDS = 30

# Readers' pages (a post, home, tags, archive, about, feeds, sitemap) are rendered once and
# stored in the database, shared by every worker, until what they show changes (an edit, a
# comment approved, a setting, a post going out). Views and likes on a stored page may be
# up to STORED_PAGE_SECONDS old; then it is rendered again (feeds and the sitemap, which
# show none, keep until a change, a day at most). STORED_PAGES_MAX pages are
# kept (about 10 kB each, compressed), the oldest dropped first. False renders every time.
STORED_PAGES = True
STORED_PAGE_SECONDS = 60
STORED_PAGES_MAX = 2000
# While one request of a worker renders a page to store, others for the same page wait up
# to this long for it (then render it themselves): an expired page is made once, not once
# for each reader asking at that moment.
STORED_PAGE_WAIT_SECONDS = 5
# The archive lists every post on one page up to this many public posts; beyond, /archive
# is an index of months with their counts, and each month's page lists its posts.
ARCHIVE_ALL_MAX = 500
# /sitemap.xml lists every page up to this many public posts; beyond, it is a sitemap
# index of /sitemap-pages.xml (home, about, archive, pages, tags) and /sitemap-posts-N.xml
# files of this many posts each, oldest first, so an older file stays the same.
SITEMAP_POSTS_PER_FILE = 1000

# Each worker also keeps the stored pages it serves most in memory, up to this many bytes,
# and serves them to readers without the site's cookies before the request reaches Flask
# (blog.public.front_door), after one read of the generation. 0 turns that off.
FRONT_DOOR_BYTES = 8 * 1024 * 1024

# Views are counted in memory and written by each worker at most this often (seconds),
# in one transaction; a crash loses at most this long of counts, a clean stop none.
VIEW_FLUSH_SECONDS = 1

# Days a review link (a draft shown to a reviewing colleague) works unless revoked.
REVIEW_LINK_DAYS = 7

# `flask backup` writes each backup into a new dated folder here (empty: instance/backups;
# the systemd unit uses /var/lib/rounds-backups) and deletes those older than
# BACKUP_KEEP_DAYS, always keeping the newest.
BACKUP_DIR = ""
BACKUP_KEEP_DAYS = 14

# /healthz answers 503 (for a monitor to alert on) when the database can't be written or
# the disk holding the database or the media has less free space than this.
HEALTH_MIN_FREE_MB = 200
