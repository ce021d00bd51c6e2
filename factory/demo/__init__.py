"""The demo workspace that ``make run`` seeds (``manage.py seed_demo``): users, connections, resources,
scripts and jobs. At the top of the layers, beside the APIs: it may use every app below it."""
