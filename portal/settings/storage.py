"""Where uploaded and generated files live, chosen by the environment.

`STORAGE_URL` names the store:

- unset, or `file:///srv/portal/media`: the local filesystem (MEDIA_ROOT, or the path given). Right for one
  machine only (`make run`): a second web node or a worker on another machine would not see the files.
- `s3://BUCKET`: Amazon S3, with the credentials and region boto3 finds itself (AWS_ACCESS_KEY_ID and
  AWS_SECRET_ACCESS_KEY, an instance role, AWS_S3_REGION_NAME).
- `s3://BUCKET?endpoint=http://minio:9000&region=us-east-1`: any S3-compatible store (MinIO, Ceph, Garage, a
  cloud's object storage). The credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or stand in
  the URL, URL-quoted, as `s3://KEY:$SECRET@BUCKET?…` (the form docker-compose.yml uses).

Without STORAGE_URL, `AWS_STORAGE_BUCKET_NAME` selects S3 as well, with the usual `AWS_S3_ENDPOINT_URL`,
`AWS_S3_REGION_NAME`, `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.

Query parameters of an s3:// URL (or the AWS_* variable in brackets):
  endpoint (AWS_S3_ENDPOINT_URL), region (AWS_S3_REGION_NAME), prefix: a folder inside the bucket
  (AWS_LOCATION), addressing: `path` (default with an endpoint) or `virtual` (AWS_S3_ADDRESSING_STYLE),
  encryption: `AES256` (default), `aws:kms` with kms_key=…, or `none` for a store that refuses the header
  (AWS_S3_ENCRYPTION, AWS_S3_SSE_KMS_KEY_ID).

Objects are private: no ACL makes them public, and the portal hands out no object URLs; every download is
streamed by the portal after its permission check (portal/files.py).
"""

from urllib.parse import parse_qs, unquote, urlsplit

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"


class StorageURLError(ValueError):
    pass


def default_storage(env):
    """The STORAGES["default"] entry the environment asks for."""
    url = env("STORAGE_URL", default="")
    if url:
        return storage_from_url(url, env=env)
    bucket = env("AWS_STORAGE_BUCKET_NAME", default="")
    if bucket:
        return _s3(bucket, env=env, query={}, key="", secret="")
    return {"BACKEND": FILESYSTEM}  # at MEDIA_ROOT


def storage_from_url(url, *, env):
    parts = urlsplit(url)
    if parts.scheme == "file":
        if not parts.path:
            raise StorageURLError(f"STORAGE_URL {url!r}: a file:// URL needs a path, e.g. file:///srv/portal/media")
        return {"BACKEND": FILESYSTEM, "OPTIONS": {"location": unquote(parts.path)}}
    if parts.scheme != "s3":
        raise StorageURLError(f"STORAGE_URL {url!r}: use s3://BUCKET or file:///PATH")
    bucket = parts.hostname
    if not bucket:
        raise StorageURLError(f"STORAGE_URL {url!r}: name the bucket, e.g. s3://portal-files")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region", "prefix", "addressing", "encryption", "kms_key"}
    if unknown:
        raise StorageURLError(f"STORAGE_URL: unknown parameter(s) {', '.join(sorted(unknown))}")
    return _s3(bucket, env=env, query=query, key=unquote(parts.username or ""), secret=unquote(parts.password or ""))


def _s3(bucket, *, env, query, key, secret):
    endpoint = query.get("endpoint") or env("AWS_S3_ENDPOINT_URL", default="")
    options = {
        "bucket_name": bucket,
        # Never a public object: the bucket's own (private) default applies, and no URL is handed out; were one
        # ever made, it would be signed and last a minute.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
        # A new upload never replaces another file of the same name.
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    if endpoint:
        options["endpoint_url"] = endpoint
    region = query.get("region") or env("AWS_S3_REGION_NAME", default="")
    if region:
        options["region_name"] = region
    key = key or env("AWS_ACCESS_KEY_ID", default="")
    secret = secret or env("AWS_SECRET_ACCESS_KEY", default="")
    if key and secret:
        options["access_key"] = key
        options["secret_key"] = secret
    prefix = query.get("prefix") or env("AWS_LOCATION", default="")
    if prefix:
        options["location"] = prefix.strip("/")
    addressing = query.get("addressing") or env("AWS_S3_ADDRESSING_STYLE", default="path" if endpoint else "")
    if addressing:
        if addressing not in ("path", "virtual"):
            raise StorageURLError(f"S3 addressing {addressing!r}: use path or virtual")
        options["addressing_style"] = addressing
    encryption = query.get("encryption") or env("AWS_S3_ENCRYPTION", default="AES256")
    if encryption.lower() != "none":
        if encryption not in ("AES256", "aws:kms"):
            raise StorageURLError(f"S3 encryption {encryption!r}: use AES256, aws:kms or none")
        parameters = {"ServerSideEncryption": encryption}
        kms_key = query.get("kms_key") or env("AWS_S3_SSE_KMS_KEY_ID", default="")
        if encryption == "aws:kms" and kms_key:
            parameters["SSEKMSKeyId"] = kms_key
        options["object_parameters"] = parameters
    return {"BACKEND": S3, "OPTIONS": options}
