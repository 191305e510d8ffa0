"""docker-compose.yml describes a stack whose web nodes share nothing: checked by reading the file.

Docker cannot run where the tests run, so the compose file is parsed (PyYAML, merge keys resolved as Compose
resolves them) and its shape asserted: the object store with its bucket, a scalable web service behind the
proxy, no shared disk, migrations run once.
"""

import os
import re
import shlex
import subprocess
import sys

import environ
import pytest
import yaml
from django.conf import settings

from portal.settings.storage import S3, storage_from_url

PORTAL_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())


def _interpolated(value):
    """`${NAME:-default}` as Compose fills it in when NAME is unset; `$$` is a literal dollar."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value).replace("$$", "$")


def _env(service):
    return {name: _interpolated(str(value)) for name, value in service["environment"].items()}


def _depends(service):
    return {name: rule["condition"] for name, rule in service.get("depends_on", {}).items()}


def test_every_portal_process_keeps_its_files_in_the_minio_bucket(compose):
    services = compose["services"]
    bucket_script = "\n".join(services["minio-bucket"]["command"])
    for name in PORTAL_SERVICES:
        environment = _env(services[name])
        storage = storage_from_url(environment["STORAGE_URL"], env=environ.Env())
        options = storage["OPTIONS"]
        assert storage["BACKEND"] == S3, name
        assert options["endpoint_url"] == "http://minio:9000", name
        assert f"mc mb --ignore-existing store/{options['bucket_name']}" in bucket_script
        assert f'mc admin user add store {options["access_key"]} "$MINIO_PORTAL_PASSWORD"' in _interpolated(
            bucket_script
        )
        assert options["secret_key"] == _env(services["minio-bucket"])["MINIO_PORTAL_PASSWORD"]
        assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}
        assert environment["REDIS_URL"].startswith("redis://redis:"), "cache, sessions and rate counters shared"
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert "volumes" not in services[name], f"{name} keeps nothing on a disk of its own"
    assert "mc anonymous set none" in bucket_script, "the bucket is never public"
    assert "mc encrypt set sse-s3" in bucket_script
    assert "MINIO_KMS_SECRET_KEY" in services["minio"]["environment"], "MinIO can encrypt what it stores"


def test_the_bucket_exists_before_any_portal_process_starts(compose):
    services = compose["services"]
    assert services["minio-bucket"]["image"].startswith("minio/mc")
    assert _depends(services["minio-bucket"]) == {"minio": "service_healthy"}
    assert "healthcheck" in services["minio"]
    for name in PORTAL_SERVICES:
        assert _depends(services[name])["minio-bucket"] == "service_completed_successfully", name


def test_migrations_run_once_before_the_web_nodes_and_workers(compose):
    services = compose["services"]
    assert "migrate" in services["migrate"]["command"]
    assert "migrate" not in _depends(services["migrate"])
    for name in ("web", "worker", "beat"):
        assert _depends(services[name])["migrate"] == "service_completed_successfully", name
        assert "migrate" not in services[name]["command"], f"{name} would change the schema once per node"


def test_web_scales_behind_the_proxy_which_alone_is_published(compose):
    services = compose["services"]
    web = services["web"]
    assert "ports" not in web and "container_name" not in web, "two web containers cannot share a port or name"
    assert web["expose"] == ["8000"]
    assert shlex.split(web["command"])[0] == "gunicorn"
    proxy = services["proxy"]
    assert proxy["ports"] == ["8000:8000", "8443:8443"]
    assert _depends(proxy) == {"web": "service_healthy", "certificate": "service_completed_successfully"}
    mount = proxy["volumes"][0]
    source, target, _mode = mount.split(":")
    config = (settings.BASE_DIR / source).read_text()
    assert target == "/etc/nginx/conf.d/default.conf"
    assert "server web:8000" in config and "proxy_pass http://portal_web;" in config
    assert "client_max_body_size 12m;" in config, "a 10 MB attachment passes the proxy"
    assert "X-Forwarded-For" in config and _env(web)["TRUSTED_PROXY_COUNT"] == "1"
    published = [name for name, service in services.items() if "ports" in service]
    assert sorted(published) == ["mailpit", "proxy"], "the object store, database and nodes stay inside"


def test_no_shared_media_volume_and_one_beat(compose):
    assert "media" not in compose["volumes"]
    for name, service in compose["services"].items():
        for mount in service.get("volumes", []):
            assert not mount.startswith("media:"), name
    assert "deploy" not in compose["services"]["beat"] and "scale" not in compose["services"]["beat"]


def test_the_proxy_serves_https_and_plain_http_only_redirects(compose):
    config = (settings.BASE_DIR / "deploy/nginx.conf").read_text()
    assert "listen 8443 ssl;" in config and "ssl_certificate /etc/nginx/certs/portal.crt;" in config
    assert "return 301 https://$host:8443$request_uri;" in config
    assert "certs:/etc/nginx/certs:ro" in compose["services"]["proxy"]["volumes"]
    certificate = compose["services"]["certificate"]
    assert "openssl req -x509" in certificate["command"][0] and "test -s /certs/portal.crt" in certificate["command"][0]
    assert _env(compose["services"]["web"])["SITE_URL"] == "https://localhost:8443", "links in emails work"


def test_the_web_service_passes_the_deploy_check_with_the_environment_compose_gives_it(compose):
    """`make test` runs the deploy check on a minimal environment; this one runs it on what compose deploys."""
    environment = _env(compose["services"]["web"])
    assert environment["DJANGO_SETTINGS_MODULE"] == "portal.settings.production" and environment["REDIS_URL"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ["PATH"], **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_accounts_are_loaded_only_when_asked_for(compose):
    assert _env(compose["services"]["migrate"])["LOAD_DEMO"] == "0"
    command = _interpolated(compose["services"]["migrate"]["command"])
    assert 'if [ \\"$LOAD_DEMO\\" = 1 ]; then python manage.py load_demo; fi' in command
    assert all(
        "load_demo" not in str(service.get("command", ""))
        for name, service in compose["services"].items()
        if name != "migrate"
    )
