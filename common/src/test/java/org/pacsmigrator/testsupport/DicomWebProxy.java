package org.pacsmigrator.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of a DICOMweb archive (on loopback, a free port): it passes every request on, except that
 * it answers the first {@link #busyPosts} POSTs with 503 and a Retry-After, and, when told to, refuses requests
 * without the expected Authorization header with 401. It counts requests and the most POSTs in flight at once.
 */
public final class DicomWebProxy implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final HttpServer server;
    private final URI target;
    private final AtomicInteger busyLeft = new AtomicInteger();
    private final AtomicInteger busyGetsLeft = new AtomicInteger();
    private final AtomicInteger busyAnswered = new AtomicInteger();
    private final AtomicInteger postsInFlight = new AtomicInteger();
    private final AtomicInteger peakPostsInFlight = new AtomicInteger();
    private final AtomicInteger passed = new AtomicInteger();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile String retryAfter = "1";
    private volatile String requiredAuthorization;

    /** @param target scheme, host and port of the archive (paths are passed on as they come) */
    public DicomWebProxy(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dicomweb-proxy");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** This proxy's URL for the archive's {@code path}, e.g. "/dicom-web". */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The next {@code n} POSTs are answered 503 with {@code Retry-After: retryAfter}. */
    public DicomWebProxy busyPosts(int n, String retryAfter) {
        this.retryAfter = retryAfter;
        busyLeft.set(n);
        return this;
    }

    /** The next {@code n} GETs (QIDO-RS, WADO-RS) are answered 503 with {@code Retry-After: retryAfter}. */
    public DicomWebProxy busyGets(int n, String retryAfter) {
        this.retryAfter = retryAfter;
        busyGetsLeft.set(n);
        return this;
    }

    /** Requests without exactly this Authorization header get 401. */
    public DicomWebProxy requireAuthorization(String value) {
        this.requiredAuthorization = value;
        return this;
    }

    public int busyAnswered() {
        return busyAnswered.get();
    }

    /** Requests passed on to the archive. */
    public int passed() {
        return passed.get();
    }

    public int peakPostsInFlight() {
        return peakPostsInFlight.get();
    }

    /** The Authorization headers received (null for none), in order. */
    public List<String> authorizations() {
        return authorizations;
    }

    private void handle(HttpExchange exchange) throws IOException {
        boolean post = "POST".equals(exchange.getRequestMethod());
        if (post) {
            peakPostsInFlight.accumulateAndGet(postsInFlight.incrementAndGet(), Math::max);
        }
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(authorization == null ? "null" : authorization);
            if (requiredAuthorization != null && !requiredAuthorization.equals(authorization)) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            AtomicInteger busy = post ? busyLeft : busyGetsLeft;
            if (busy.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                busyAnswered.incrementAndGet();
                exchange.getResponseHeaders().add("Retry-After", retryAfter);
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                    .timeout(Duration.ofMinutes(2)).method(exchange.getRequestMethod(),
                            body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : List.of("Content-Type", "Accept")) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    forward.header(header, value);
                }
            }
            HttpResponse<byte[]> response = HTTP.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            passed.incrementAndGet();
            response.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().add("Content-Type", v));
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (post) {
                postsInFlight.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
