package org.pacsmigrator.cache;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/** s3proxy (a real S3 protocol server) in-process on a free loopback port, over jclouds' filesystem blobstore. */
public final class S3ProxyServer implements AutoCloseable {
    static final String IDENTITY = "pacsmig-test";
    static final String CREDENTIAL = "pacsmig-test-secret";

    private final S3Proxy proxy;
    private final BlobStoreContext context;

    private S3ProxyServer(S3Proxy proxy, BlobStoreContext context) {
        this.proxy = proxy;
        this.context = context;
    }

    public static S3ProxyServer start(Path directory) throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", directory.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").overrides(p)
                .credentials(IDENTITY, CREDENTIAL).build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, IDENTITY, CREDENTIAL)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return new S3ProxyServer(proxy, context);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    public S3InstanceCache.Settings settings(String bucket) {
        return S3InstanceCache.Settings.of(endpoint(), bucket, IDENTITY, CREDENTIAL);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
