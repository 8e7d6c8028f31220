"""nginx in front of gunicorn for the load run, configured with the same proxy and cache directives as in
production (congress/deploy/nginx-proxy.conf): plain HTTP on 127.0.0.1, static files served by nginx."""

import contextlib
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

PROXY_CONF = settings.BASE_DIR / "congress" / "deploy" / "nginx-proxy.conf"

SERVER_CONF = """\
{user}worker_processes auto;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ text/html html; text/css css; text/javascript js; }}
    client_body_temp_path {workdir}/client-body;
    proxy_temp_path {workdir}/proxy-temp;
    fastcgi_temp_path {workdir}/fastcgi-temp;
    uwsgi_temp_path {workdir}/uwsgi-temp;
    scgi_temp_path {workdir}/scgi-temp;
    proxy_cache_path {workdir}/cache levels=1:2 keys_zone=fbp_pages:10m max_size=1g inactive=1h use_temp_path=off;
    upstream fbp_app {{ server 127.0.0.1:{app_port}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port};
        location {static_url} {{ alias {static_root}/; expires max; }}
        location / {{ include {proxy_conf}; }}
    }}
}}
"""


def available() -> bool:
    return shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists()


@contextlib.contextmanager
def nginx(*, port: int, app_port: int, static_root: Path, workdir: Path) -> Iterator[str]:
    """Run nginx in the foreground until the block ends; yields its base URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "nginx.conf"
    config.write_text(
        SERVER_CONF.format(
            user="user root;\n" if os.geteuid() == 0 else "",  # workers must read the run's private folders
            workdir=workdir,
            port=port,
            app_port=app_port,
            static_url=settings.STATIC_URL,
            static_root=static_root,
            proxy_conf=PROXY_CONF,
        )
    )
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen(
        [binary, "-c", str(config), "-p", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx stopped: {(workdir / 'nginx-error.log').read_text()[-2000:]}")
            with contextlib.suppress(OSError), urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not answer within 20 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
