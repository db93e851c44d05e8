from blog import create_app, warm

# What gunicorn serves: the site without the flask commands (see create_app), its
# templates compiled once in the master that forks the workers.
app = create_app(commands=False)
warm(app)
