package org.pacsmigrator.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pacsmigrator.files.OwnerOnly;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * {@link InstanceCache} on any S3-compatible object store (AWS SDK v2, JDK URL connection client).
 *
 * <p>Atomic visibility comes from S3 itself: a single PUT, and a multipart upload until its
 * completion, never expose a partial object under the key; a failed multipart upload is aborted.
 * The local file is read twice, both times streamed: once to compute size and SHA-256, then by
 * the upload (with its content length known, so nothing is buffered in memory). The SHA-256 is
 * stored as object metadata ({@code x-amz-meta-sha256}) besides being returned to the caller.
 */
public final class S3InstanceCache implements InstanceCache, AutoCloseable {
    public static final String SHA256_METADATA = "sha256";
    private static final long MIN_PART = 5L * 1024 * 1024;

    /** Connection settings; {@code endpoint} null means AWS itself; null keys mean the SDK's default chain. */
    public record Settings(String endpoint, String region, String bucket, String prefix, boolean pathStyle,
                           String accessKeyId, String secretAccessKey, long multipartThresholdBytes,
                           long partSizeBytes) {
        public Settings {
            if (bucket == null || bucket.isBlank()) {
                throw new IllegalArgumentException("S3 bucket is required");
            }
            prefix = prefix == null ? "" : prefix;
            region = region == null || region.isBlank() ? "us-east-1" : region;
            partSizeBytes = Math.max(MIN_PART, partSizeBytes);
            multipartThresholdBytes = Math.max(partSizeBytes, multipartThresholdBytes);
        }

        public static Settings of(String endpoint, String bucket, String accessKeyId, String secretAccessKey) {
            return new Settings(endpoint, "us-east-1", bucket, "", true, accessKeyId, secretAccessKey,
                    64L * 1024 * 1024, 16L * 1024 * 1024);
        }

        public Settings withPrefix(String p) {
            return new Settings(endpoint, region, bucket, p, pathStyle, accessKeyId, secretAccessKey,
                    multipartThresholdBytes, partSizeBytes);
        }

        public Settings withMultipart(long thresholdBytes, long partBytes) {
            return new Settings(endpoint, region, bucket, prefix, pathStyle, accessKeyId, secretAccessKey,
                    thresholdBytes, partBytes);
        }
    }

    private final S3Client s3;
    private final Settings settings;

    public S3InstanceCache(Settings settings) {
        this.settings = settings;
        AwsCredentialsProvider credentials = settings.accessKeyId() != null && !settings.accessKeyId().isBlank()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId(),
                        settings.secretAccessKey()))
                : DefaultCredentialsProvider.builder().build();
        var builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(120)))
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle())
                // Plain signed payloads: S3-compatible stores (s3proxy, MinIO, Ceph) do not all accept
                // the SDK's newer trailing-checksum chunked encoding.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (settings.endpoint() != null && !settings.endpoint().isBlank()) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        this.s3 = builder.build();
    }

    public Settings settings() {
        return settings;
    }

    /** Creates the bucket if it does not exist (for tests and first runs; production buckets are provisioned). */
    public void createBucketIfAbsent() throws IOException {
        try {
            s3.headBucket(b -> b.bucket(settings.bucket()));
        } catch (NoSuchBucketException e) {
            create();
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw new IOException("cannot check bucket " + settings.bucket() + ": " + e.getMessage(), e);
            }
            create();
        } catch (SdkException e) {
            throw new IOException("cannot reach S3 endpoint " + settings.endpoint() + ": " + e.getMessage(), e);
        }
    }

    private void create() throws IOException {
        try {
            s3.createBucket(b -> b.bucket(settings.bucket()));
        } catch (SdkException e) {
            throw new IOException("cannot create bucket " + settings.bucket() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public CachedObject put(String key, Path localFile) throws IOException {
        String objectKey = objectKey(key);
        CachedObject object = hash(key, localFile);
        try {
            if (object.sizeBytes() >= settings.multipartThresholdBytes()) {
                multipartUpload(objectKey, localFile, object);
            } else {
                s3.putObject(r -> r.bucket(settings.bucket()).key(objectKey).contentLength(object.sizeBytes())
                                .contentType("application/dicom").metadata(Map.of(SHA256_METADATA, object.sha256())),
                        RequestBody.fromFile(localFile));
            }
        } catch (SdkException e) {
            throw new IOException("upload of " + key + " to s3://" + settings.bucket() + " failed: " + e.getMessage(), e);
        }
        Files.deleteIfExists(localFile); // the contract: the source file is consumed
        return object;
    }

    /** Parts are streamed from the file, one at a time; the object appears only on completion. */
    private void multipartUpload(String objectKey, Path file, CachedObject object) throws IOException {
        CreateMultipartUploadResponse created = s3.createMultipartUpload(r -> r.bucket(settings.bucket())
                .key(objectKey).contentType("application/dicom").metadata(Map.of(SHA256_METADATA, object.sha256())));
        String uploadId = created.uploadId();
        boolean done = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long offset = 0;
            for (int partNumber = 1; offset < object.sizeBytes(); partNumber++) {
                long length = Math.min(settings.partSizeBytes(), object.sizeBytes() - offset);
                long from = offset;
                // A fresh stream over the part's byte range each time the SDK asks (retries re-read it).
                ContentStreamProvider content = () -> {
                    try {
                        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                        ch.position(from);
                        return new BoundedInputStream(Channels.newInputStream(ch), length, true);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                };
                int n = partNumber;
                UploadPartResponse part = s3.uploadPart(r -> r.bucket(settings.bucket()).key(objectKey)
                                .uploadId(uploadId).partNumber(n).contentLength(length),
                        RequestBody.fromContentProvider(content, length, "application/octet-stream"));
                parts.add(CompletedPart.builder().partNumber(n).eTag(part.eTag()).build());
                offset += length;
            }
            s3.completeMultipartUpload(r -> r.bucket(settings.bucket()).key(objectKey).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
            done = true;
        } finally {
            if (!done) {
                try {
                    s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(settings.bucket())
                            .key(objectKey).uploadId(uploadId).build());
                } catch (SdkException ignored) {
                    // The bucket's lifecycle rule for incomplete uploads cleans up; nothing is visible anyway.
                }
            }
        }
    }

    @Override
    public Optional<InputStream> open(String key) throws IOException {
        try {
            ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(settings.bucket()).key(objectKey(key)));
            return Optional.of(in);
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new IOException("cannot read " + key + " from s3://" + settings.bucket() + ": " + e.getMessage(), e);
        }
    }

    /** Downloads the object to a new file in {@code scratchDirectory}; the caller deletes it when done. */
    @Override
    public Path localCopy(String key, Path scratchDirectory) throws IOException {
        OwnerOnly.createDirectories(scratchDirectory);
        Path target = Files.createTempFile(scratchDirectory, "s3-", ".dcm"); // 0600
        Optional<InputStream> in = open(key);
        if (in.isEmpty()) {
            Files.deleteIfExists(target);
            throw new NoSuchFileException(key, null, "not in the cache");
        }
        try (InputStream s = in.get()) {
            Files.copy(s, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            Files.deleteIfExists(target);
            throw e;
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        return head(key).isPresent();
    }

    /** The SHA-256 recorded with the object at upload, if the object exists. */
    public Optional<String> storedSha256(String key) throws IOException {
        return head(key).map(h -> h.metadata().get(SHA256_METADATA));
    }

    private Optional<HeadObjectResponse> head(String key) throws IOException {
        try {
            return Optional.of(s3.headObject(r -> r.bucket(settings.bucket()).key(objectKey(key))));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new IOException("cannot check " + key + " in s3://" + settings.bucket() + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("cannot check " + key + " in s3://" + settings.bucket() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(r -> r.bucket(settings.bucket()).key(objectKey(key)));
        } catch (SdkException e) {
            throw new IOException("cannot delete " + key + " from s3://" + settings.bucket() + ": " + e.getMessage(), e);
        }
    }

    /** Keys currently stored under the prefix (diagnostics and tests). */
    public List<String> list() {
        List<String> out = new ArrayList<>();
        s3.listObjectsV2Paginator(r -> r.bucket(settings.bucket()).prefix(settings.prefix()))
                .contents().stream()
                .filter(o -> !o.key().endsWith("/")) // directory markers of some stores, not objects
                .forEach(o -> out.add(o.key().substring(settings.prefix().length())));
        return out;
    }

    @Override
    public void close() {
        s3.close();
    }

    private String objectKey(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.contains("\\") || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid cache key: " + key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("invalid cache key: " + key);
            }
        }
        return settings.prefix() + key;
    }

    private static CachedObject hash(String key, Path file) throws IOException {
        return new CachedObject(key, Files.size(file), Sha256.of(file));
    }
}
