package org.pacsmigrator.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a file, streamed. */
public final class Sha256 {
    private Sha256() {
    }

    public static String of(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), newDigest())) {
            in.transferTo(OutputStream.nullOutputStream());
            return hex(((DigestInputStream) in).getMessageDigest());
        }
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The digest as lower-case hex (the digest is reset). */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
