"""STORAGE_URL and the AWS_* variables choose where files live; anything unclear stops the start with a message."""

import environ
import pytest

from portal.settings.storage import FILESYSTEM, S3, StorageURLError, default_storage, storage_from_url

AWS_VARIABLES = (
    "STORAGE_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_LOCATION",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_S3_ENCRYPTION",
    "AWS_S3_SSE_KMS_KEY_ID",
)


@pytest.fixture
def environment(monkeypatch):
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def chosen(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return default_storage(environ.Env())

    return chosen


def test_without_configuration_files_stay_under_media_root(environment):
    assert environment() == {"BACKEND": FILESYSTEM}


def test_a_file_url_names_the_directory(environment):
    assert environment(STORAGE_URL="file:///srv/portal/media") == {
        "BACKEND": FILESYSTEM,
        "OPTIONS": {"location": "/srv/portal/media"},
    }


def test_an_s3_compatible_store_is_private_encrypted_and_never_overwrites(environment):
    chosen = environment(STORAGE_URL="s3://portal:s3cr%2Ft@portal-files?endpoint=http://minio:9000&region=eu-central-1")

    assert chosen == {
        "BACKEND": S3,
        "OPTIONS": {
            "bucket_name": "portal-files",
            "endpoint_url": "http://minio:9000",
            "region_name": "eu-central-1",
            "access_key": "portal",
            "secret_key": "s3cr/t",
            "addressing_style": "path",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "signature_version": "s3v4",
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }


def test_amazon_s3_takes_credentials_and_region_from_the_usual_variables(environment):
    options = environment(
        STORAGE_URL="s3://portal-files?prefix=/media/",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_S3_REGION_NAME="ap-southeast-1",
    )["OPTIONS"]

    assert (options["access_key"], options["secret_key"], options["region_name"]) == (
        "AKIAEXAMPLE",
        "secret",
        "ap-southeast-1",
    )
    assert options["location"] == "media"
    assert "endpoint_url" not in options and "addressing_style" not in options, "AWS's own endpoints and addressing"


def test_the_aws_variables_alone_select_s3(environment):
    chosen = environment(
        AWS_STORAGE_BUCKET_NAME="portal-files",
        AWS_S3_ENDPOINT_URL="https://objects.example.org",
        AWS_S3_ENCRYPTION="aws:kms",
        AWS_S3_SSE_KMS_KEY_ID="alias/portal",
    )

    assert chosen["BACKEND"] == S3
    assert chosen["OPTIONS"]["bucket_name"] == "portal-files"
    assert chosen["OPTIONS"]["endpoint_url"] == "https://objects.example.org"
    assert chosen["OPTIONS"]["object_parameters"] == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/portal"}


def test_encryption_can_be_left_to_a_store_that_refuses_the_header(environment):
    assert "object_parameters" not in environment(STORAGE_URL="s3://portal-files?encryption=none")["OPTIONS"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://portal-files.s3.amazonaws.com", "use s3://BUCKET or file:///PATH"),
        ("s3://", "name the bucket"),
        ("file://", "needs a path"),
        ("s3://portal-files?acl=public-read", "unknown parameter(s) acl"),
        ("s3://portal-files?encryption=rot13", "use AES256, aws:kms or none"),
        ("s3://portal-files?addressing=dns", "use path or virtual"),
    ],
)
def test_an_unclear_storage_url_is_refused_with_a_message(url, message):
    with pytest.raises(StorageURLError, match=message.replace("(", r"\(").replace(")", r"\)")):
        storage_from_url(url, env=environ.Env())
