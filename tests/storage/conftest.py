"""An S3-compatible object store for the storage tests: moto's standalone server, spoken to over HTTP with boto3."""

import logging
import uuid

import environ
import pytest

from portal.settings.storage import storage_from_url
from tests.helpers import free_port, wait_for

ACCESS_KEY = "portal-test"
SECRET_KEY = "portal-test-secret"
REGION = "us-east-1"


class ObjectStore:
    def __init__(self, port):
        self.endpoint = f"http://127.0.0.1:{port}"

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def new_bucket(self):
        """A fresh, empty bucket, made as an operator makes one: private, nothing readable without credentials."""
        name = f"ilrs-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def url(self, bucket):
        """The STORAGE_URL a node is given for `bucket`."""
        return f"s3://{ACCESS_KEY}:{SECRET_KEY}@{bucket}?endpoint={self.endpoint}&region={REGION}"

    def keys(self, bucket):
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, bucket, key):
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()


@pytest.fixture(scope="session")
def object_store():
    """moto's S3 server in a thread of this process, on a free port; other processes reach it over HTTP."""
    pytest.importorskip("moto.server", reason="moto[server] (requirements-dev.txt) is needed for the S3 tests")
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    store = ObjectStore(port)
    try:
        assert wait_for(lambda: _answers(store), timeout=20), "moto's S3 server did not start"
        yield store
    finally:
        server.stop()


def _answers(store):
    try:
        store.client().list_buckets()
        return True
    except Exception:
        return False


@pytest.fixture
def s3_storage(object_store, settings):
    """This process's default storage switched to a new bucket of the object store; returns the bucket's name."""
    bucket = object_store.new_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": storage_from_url(object_store.url(bucket), env=environ.Env())}
    return bucket
