package org.pacsmigrator.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The console's secret ({@code console.token}): what every request to {@code /api} carries as
 * {@code Authorization: Bearer <token>}. Compared in constant time, on SHA-256 digests so that not
 * even the length leaks; never part of {@link #toString()}.
 */
public final class ConsoleToken {
    private static final String BEARER = "Bearer ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String value;
    private final byte[] digest;

    private ConsoleToken(String value) {
        this.value = value;
        this.digest = sha256(value);
    }

    /** The configured secret (validated by the config loader). */
    public static ConsoleToken of(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("the console token must not be empty");
        }
        return new ConsoleToken(value);
    }

    /** A fresh random token (256 bits, URL-safe Base64), for a run without {@code console.token}. */
    public static ConsoleToken generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return new ConsoleToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** The secret itself: to show it to the user who started the run, never to log it. */
    public String reveal() {
        return value;
    }

    /** True when {@code authorization} is {@code Bearer <this token>} (the scheme case-insensitive). */
    public boolean matches(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(authorization.substring(BEARER.length()).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ConsoleToken[redacted]";
    }
}
