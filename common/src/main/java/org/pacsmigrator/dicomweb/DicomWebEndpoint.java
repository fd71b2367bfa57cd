package org.pacsmigrator.dicomweb;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.PeerBusyException;

/**
 * One DICOMweb service: its base URL, our credentials and the TLS trust for it, and the one policy for its HTTP
 * answers: a refused connection, a timeout, a refused credential, "busy" (429/503 with Retry-After) become the same
 * {@link DicomException} categories as their DIMSE counterparts, so gates, retries and dead letters treat both alike.
 */
public final class DicomWebEndpoint {
    /** Waited when a 429/503 names no (or an unreadable) Retry-After. */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    /** A Retry-After beyond this is shortened: the caller's own patience decides when to give up. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    private final URI base;
    private final HttpClient http;
    private final String authorization;
    private final Duration requestTimeout;

    DicomWebEndpoint(URI base, HttpClient http, String authorization, Duration requestTimeout) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.http = http;
        this.authorization = authorization;
        this.requestTimeout = requestTimeout;
    }

    /** The service of a validated config (see ConfigLoader): credentials and trust store as configured. */
    public static DicomWebEndpoint of(MigrationConfig.DicomWeb c) {
        // HTTP/1.1: no h2c upgrade dance with every first request of a connection
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER);
        if (c.trustStore != null) {
            try {
                builder.sslContext(sslContext(loadTrustStore(Path.of(c.trustStore), c.trustStorePassword)));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("trust store " + c.trustStore + ": " + e.getMessage(), e);
            }
        }
        return new DicomWebEndpoint(URI.create(c.url), builder.build(), authorization(c),
                Duration.ofSeconds(c.requestTimeoutSeconds));
    }

    /** The value of the Authorization header, null for none. */
    static String authorization(MigrationConfig.DicomWeb c) {
        return switch (c.authentication) {
            case "basic" -> "Basic " + Base64.getEncoder().encodeToString((c.username + ":" + c.password)
                    .getBytes(StandardCharsets.UTF_8));
            case "bearer" -> "Bearer " + c.token;
            default -> null;
        };
    }

    /** Loads a PKCS12 or JKS trust store (the type is recognised from the file). */
    public static KeyStore loadTrustStore(Path file, String password) throws IOException, GeneralSecurityException {
        return KeyStore.getInstance(file.toFile(), password == null ? null : password.toCharArray());
    }

    private static SSLContext sslContext(KeyStore trusted) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    public URI base() {
        return base;
    }

    /** How long a request may wait for its answer; also how long a body being read may stall. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** A request to {@code base + pathAndQuery}, with our credentials and the request timeout. */
    public HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(requestTimeout);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    /**
     * Sends {@code request}; the body of the answer comes as a stream (the caller reads it within its limit and
     * closes it). Busy (429/503) and refused credentials (401/403) are thrown, every other status is the caller's.
     */
    public HttpResponse<InputStream> send(HttpRequest request) throws DicomException, InterruptedException {
        HttpResponse<InputStream> response;
        try {
            response = sendOnLiveConnection(request);
        } catch (HttpConnectTimeoutException e) {
            throw new DicomException(DicomException.Category.CONNECTION_REFUSED, what(request) + ": connection timed out", e);
        } catch (HttpTimeoutException e) {
            throw new DicomException(DicomException.Category.TIMEOUT, what(request) + ": no answer within " + requestTimeout, e);
        } catch (ConnectException e) {
            throw new DicomException(DicomException.Category.CONNECTION_REFUSED, what(request) + ": " + e, e);
        } catch (IOException e) {
            throw new DicomException(DicomException.Category.OTHER, what(request) + ": " + e, e);
        }
        int status = response.statusCode();
        if (status == 429 || status == 503) {
            discard(response);
            Duration wait = retryAfter(response.headers().firstValue("Retry-After"), ZonedDateTime.now());
            throw new PeerBusyException(what(request) + ": HTTP " + status + ", retry after " + wait.toSeconds() + " s", wait);
        }
        if (status == 401 || status == 403) {
            discard(response);
            throw new DicomException(DicomException.Category.ASSOCIATION_REJECTED, what(request) + ": HTTP " + status
                    + " (credentials refused: check destination.dicomweb.authentication)");
        }
        return response;
    }

    /**
     * {@link #send} for callers whose interface knows no interruption (a {@code DicomClient}, a sender): an interrupt
     * becomes a failure saying what was being done, and the thread stays interrupted.
     */
    public HttpResponse<InputStream> sendOrFail(HttpRequest request, String doing) throws DicomException {
        try {
            return send(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DicomException(DicomException.Category.OTHER, "interrupted while " + doing, e);
        }
    }

    /**
     * Sends once more when a kept-alive connection turned out closed by the server (servers close idle ones
     * after a second or so; the JDK client resends only idempotent requests itself). A STOW-RS request sent twice
     * stores nothing twice: the archive keeps one instance per SOP Instance UID.
     */
    private HttpResponse<InputStream> sendOnLiveConnection(HttpRequest request) throws IOException, InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException | ConnectException e) {
            throw e;
        } catch (IOException closed) {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        }
    }

    /** An answer the caller does not expect, as a failure naming its status and the start of its text. */
    public static DicomException unexpected(HttpRequest request, HttpResponse<InputStream> response) {
        String text;
        try (InputStream in = response.body()) {
            text = new String(in.readNBytes(300), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        } catch (IOException e) {
            text = "";
        }
        DicomException.Category category = response.statusCode() == 502 || response.statusCode() == 504
                ? DicomException.Category.TIMEOUT : DicomException.Category.FAILURE_STATUS;
        return new DicomException(category, what(request) + ": HTTP " + response.statusCode()
                + (text.isEmpty() ? "" : " (" + text + ")"));
    }

    /** Reads a body of at most {@code limit} bytes (a peer's answer never decides how much we hold). */
    public static byte[] readBody(HttpResponse<InputStream> response, int limit) throws DicomException {
        try (InputStream in = response.body()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw new DicomException(DicomException.Category.OTHER, "answer of " + response.uri() + " exceeds "
                        + limit + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw new DicomException(DicomException.Category.OTHER, "reading the answer of " + response.uri() + ": " + e, e);
        }
    }

    /** Retry-After as seconds or an HTTP date, within 0..{@link #MAX_RETRY_AFTER}. */
    static Duration retryAfter(Optional<String> header, ZonedDateTime now) {
        if (header.isEmpty()) {
            return DEFAULT_RETRY_AFTER;
        }
        String value = header.get().strip();
        Duration wait;
        try {
            wait = Duration.ofSeconds(Long.parseLong(value));
        } catch (NumberFormatException notSeconds) {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (DateTimeParseException notDate) {
                return DEFAULT_RETRY_AFTER;
            }
        }
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }

    private static void discard(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            in.readNBytes(64 * 1024);
        } catch (IOException e) {
            // the connection is dropped instead of reused
        }
    }

    private static String what(HttpRequest request) {
        return request.method() + " " + request.uri().getPath();
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
