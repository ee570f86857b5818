"""The files docs/deploy.md installs, rendered from deploy/ by `tools/stack render`, are
valid for the programs that read them: nginx, PgBouncer and systemd."""

import importlib.machinery
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def program(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name,) if p.exists()), None
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("rendered")
    subprocess.run(  # noqa: S603 - our own tool, our own arguments
        [sys.executable, str(ROOT / "tools" / "stack"), "render", "--out", str(out),
         "--server-name", "petitions.example.org", "--nodes", "10.0.0.11:8000,10.0.0.12:8000",
         "--root", str(ROOT), "--trusted-proxy", "10.0.0.2, 192.0.2.0/24"],
        check=True, capture_output=True, text=True,
    )
    return out


def test_every_template_is_rendered_with_nothing_left_to_fill(rendered):
    files = sorted(p.relative_to(rendered).as_posix() for p in rendered.rglob("*") if p.is_file())
    assert files == [
        "nginx/chorus-http.conf", "nginx/chorus-locations.conf", "nginx/chorus-proxy.conf",
        "nginx/site.conf", "pgbouncer/pgbouncer.ini", "systemd/chorus-periodic.service",
        "systemd/chorus-web.service", "systemd/chorus-worker.service",
    ]
    for path in rendered.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "@" not in text.replace("@example", ""), path
    http = (rendered / "nginx" / "chorus-http.conf").read_text()
    assert "server 10.0.0.11:8000" in http and "server 10.0.0.12:8000" in http
    # Each request to the node with the fewest in progress, counted across nginx's
    # workers: round robin piled signatures onto a busy node (bench/README.md).
    upstream = re.search(r"upstream chorus_app \{(.*?)\}", http, re.DOTALL).group(1)
    assert "least_conn;" in upstream and "zone chorus_app " in upstream
    assert "pool_mode = transaction" in (rendered / "pgbouncer" / "pgbouncer.ini").read_text()
    # Threads enough for signatures to wait together and share commits.
    web = (rendered / "systemd" / "chorus-web.service").read_text()
    assert "--blocking-threads 16 " in web
    # granian's backpressure counts connections: it stays above the idle ones nginx keeps
    # to each server (keepalive per worker), for up to 16 nginx workers.
    backpressure = int(re.search(r"--backpressure (\d+)", web).group(1))
    assert backpressure >= 16 * int(re.search(r"keepalive (\d+);", http).group(1))
    # The load balancer's X-Forwarded-For is believed from its own addresses only.
    assert "set_real_ip_from 10.0.0.2;\nset_real_ip_from 192.0.2.0/24;\n" in http
    assert "real_ip_header X-Forwarded-For;" in http


def test_without_a_proxy_in_front_nginx_believes_no_forwarded_address(tmp_path):
    subprocess.run(  # noqa: S603 - our own tool, our own arguments
        [sys.executable, str(ROOT / "tools" / "stack"), "render", "--out", str(tmp_path),
         "--server-name", "petitions.example.org"],
        check=True, capture_output=True, text=True,
    )
    http = (tmp_path / "nginx" / "chorus-http.conf").read_text()
    assert "set_real_ip_from" not in http and "real_ip_header" not in http


@pytest.mark.skipif(not program("nginx"), reason="nginx is not installed")
def test_the_nginx_site_is_valid_for_nginx(rendered, tmp_path):
    nginx_dir = rendered / "nginx"
    conf_dir = tmp_path / "chorus"
    shutil.copytree(nginx_dir, conf_dir)
    for path in conf_dir.iterdir():
        # The real paths (/etc/nginx/chorus, /var/cache, /var/log) are root's; the
        # check runs as whoever runs the tests, in a folder of its own.
        text = path.read_text().replace("/etc/nginx/chorus", str(conf_dir))
        text = text.replace("/var/cache/nginx/chorus", str(tmp_path / "cache"))
        text = text.replace("/var/log/nginx/", str(tmp_path) + "/")
        text = text.replace("/etc/letsencrypt/live/petitions.example.org", str(tmp_path))
        path.write_text(text)
    # A throwaway certificate, for the check only.
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: S607
         "-subj", "/CN=petitions.example.org", "-keyout", str(tmp_path / "privkey.pem"),
         "-out", str(tmp_path / "fullchain.pem")], check=True, capture_output=True,
    )
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n"
        f" client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
        f" include {conf_dir}/chorus-http.conf;\n include {conf_dir}/site.conf;\n}}\n"
    )
    result = subprocess.run(  # noqa: S603
        [program("nginx"), "-t", "-c", str(main), "-p", str(tmp_path), "-e",
         str(tmp_path / "error.log")], capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not program("pgbouncer"), reason="PgBouncer is not installed")
def test_the_pgbouncer_settings_are_read_by_pgbouncer(rendered):
    # Outside pytest's own folders, which only their owner may enter: PgBouncer
    # runs as nobody when the tests run as root.
    with tempfile.TemporaryDirectory() as folder:
        _check_pgbouncer(rendered, Path(folder))


def _check_pgbouncer(rendered, tmp_path):
    ini = (rendered / "pgbouncer" / "pgbouncer.ini").read_text()
    ini = ini.replace("/etc/pgbouncer", str(tmp_path)).replace("listen_port = 6432",
                                                              "listen_port = 0")
    (tmp_path / "pgbouncer.ini").write_text(ini)
    (tmp_path / "userlist.txt").write_text('"chorus" "SCRAM-SHA-256$4096:x"\n')
    argv = [program("pgbouncer"), "-v", str(tmp_path / "pgbouncer.ini")]
    if os.getuid() == 0:  # PgBouncer refuses to run as root
        argv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *argv]
        tmp_path.chmod(0o755)
    # An unknown or invalid setting stops it at once with FATAL; a valid file gets
    # as far as listening (on a free port), where `timeout` stops it.
    result = subprocess.run(["timeout", "2", *argv],  # noqa: S603, S607
                            capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert "listening on 127.0.0.1" in output, output
    assert "FATAL" not in output and "WARNING" not in output, output


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd is not here")
def test_the_systemd_units_pass_systemd_analyze_verify(rendered):
    units = sorted(str(p) for p in (rendered / "systemd").glob("*.service"))
    result = subprocess.run(["systemd-analyze", "verify", *units],  # noqa: S603, S607
                            capture_output=True, text=True)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if any(name in line for name in ("chorus-web", "chorus-worker", "chorus-periodic"))]
    assert result.returncode == 0 or not problems, result.stderr
    assert not problems, problems


def test_the_stack_runs_each_part_of_a_node_as_its_unit_does(tmp_path, monkeypatch):
    """`make stack` starts granian, the worker and the periodic process with the command
    lines a real server's units run (rendered for 127.0.0.1:8123), not copies of them."""
    monkeypatch.setenv("STACK_WORKERS", "3")
    monkeypatch.setenv("STACK_THREADS", "12")
    loader = importlib.machinery.SourceFileLoader("stack", str(ROOT / "tools" / "stack"))
    stack = importlib.util.module_from_spec(importlib.util.spec_from_loader("stack", loader))
    loader.exec_module(stack)
    subprocess.run(  # noqa: S603 - our own tool, our own arguments
        [sys.executable, str(ROOT / "tools" / "stack"), "render", "--out", str(tmp_path),
         "--server-name", "petitions.example.org", "--app", "127.0.0.1:8123",
         "--root", str(ROOT), "--workers", "3", "--threads", "12"],
        check=True, capture_output=True, text=True,
    )
    for part in ("web", "worker", "periodic"):
        unit = (tmp_path / "systemd" / f"chorus-{part}.service").read_text()
        lines = unit.replace("\\\n", " ").splitlines()
        exec_start = next(line for line in lines if line.startswith("ExecStart="))
        assert stack.node_argv(part, 8123) == shlex.split(exec_start.removeprefix("ExecStart="))
    web = stack.node_argv("web", 8123)
    assert web[0] == str(ROOT / ".venv" / "bin" / "granian")
    assert ["--port", "8123"] == web[web.index("--port"):][:2]
    assert ["--workers", "3"] == web[web.index("--workers"):][:2]
    assert ["--blocking-threads", "12"] == web[web.index("--blocking-threads"):][:2]
