"""gunicorn settings (`make serve`); each can be changed through the environment."""

import multiprocessing
import os

# gunicorn serves production unless told otherwise: a strong PLANNER_SECRET_KEY is required
# and cookies are Secure. Set PLANNER_ENV_NAME=development to try it over plain HTTP.
os.environ.setdefault("PLANNER_ENV_NAME", "production")

bind = os.environ.get("PLANNER_BIND", "127.0.0.1:8000")
# Two processes a core: a PDF keeps one thread busy for about 2 seconds, and the other
# processes keep serving pages meanwhile (measured by `make bench-load`).
workers = int(os.environ.get("PLANNER_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("PLANNER_THREADS", "4"))
worker_class = "gthread"
# A PDF takes about 2 seconds; leave room for a busy machine.
timeout = int(os.environ.get("PLANNER_TIMEOUT", "60"))
graceful_timeout = 30
# An idle keep-alive connection is closed by the server after `keepalive` seconds. When that is
# shorter than a client's (or a proxy's) own idle time, the client may send its next request
# on a socket the server is closing at that moment, and reads "connection reset by peer": the
# load benchmark's users think 2–5 s, and with 5 s the resets came under load. The server must
# keep an idle connection longer than any client in front of it does: 75 s (nginx's default
# keepalive_timeout is 75 s on its side toward clients and it opens fresh upstream connections;
# a load balancer's idle timeout is usually 60 s).
keepalive = int(os.environ.get("PLANNER_KEEPALIVE", "75"))
max_requests = int(os.environ.get("PLANNER_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Trust X-Forwarded-* from the reverse proxy that terminates TLS.
forwarded_allow_ips = os.environ.get("PLANNER_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the app writes structured request logs itself (planner.requests)
errorlog = "-"
loglevel = os.environ.get("PLANNER_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"format": "%(message)s"},
                   "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "requests": {"class": "logging.StreamHandler", "formatter": "json",
                     "stream": "ext://sys.stdout"},
        "errors": {"class": "logging.StreamHandler", "formatter": "plain",
                   "stream": "ext://sys.stderr"},
    },
    "loggers": {
        "planner.requests": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["errors"], "level": loglevel.upper(),
                           "propagate": False},
    },
    "root": {"handlers": ["errors"], "level": "WARNING"},
}
