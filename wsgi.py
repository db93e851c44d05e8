from blog import create_app

# What gunicorn serves: the site without the flask commands (see create_app).
app = create_app(commands=False)
