"""The web pages: server-rendered HTML (Jinja templates) in French or English, plain forms that
work without JavaScript, on the same application services as the JSON API."""
