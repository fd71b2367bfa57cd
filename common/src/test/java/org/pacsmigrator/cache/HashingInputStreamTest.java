package org.pacsmigrator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every byte is hashed, however a reader above takes it: read, skipped, buffered, or drained. */
class HashingInputStreamTest {
    private final byte[] data = new byte[300_000];

    HashingInputStreamTest() {
        new Random(5).nextBytes(data);
    }

    @Test
    void skippedBytesAreHashedToo() throws Exception {
        HashingInputStream hashing = new HashingInputStream(new ByteArrayInputStream(data));
        InputStream reader = new BufferedInputStream(hashing, 1024); // a skip past its buffer skips the source
        reader.readNBytes(100);
        reader.skipNBytes(200_000);
        reader.read();
        long readSoFar = hashing.bytesRead();
        ByteArrayOutputStream rest = new ByteArrayOutputStream();

        hashing.drain(rest);

        assertThat(readSoFar).isGreaterThan(200_000);
        assertThat(rest.size()).isEqualTo(data.length - readSoFar);
        assertThat(hashing.bytesRead()).isEqualTo(data.length);
        assertThat(hashing.sha256()).isEqualTo(Sha256.hex(sha(data)));
    }

    private static MessageDigest sha(byte[] bytes) {
        MessageDigest digest = Sha256.newDigest();
        digest.update(bytes);
        return digest;
    }
}
