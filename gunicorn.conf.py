"""gunicorn settings read from the working directory (the container's /app, ``bench/province.py --load``);
the command line still chooses the bind address, workers and timeout.

Each worker, once the app is loaded, moves everything alive into the garbage collector's permanent
generation (``gc.freeze``): the modules, settings, URL patterns and translations are never garbage, and
a full collection no longer walks them during a request (measured on the overdue view at 1M items: 4.0
-> 1.4 ms of collection a request).
"""

import gc


def post_worker_init(worker):
    gc.collect()
    gc.freeze()
