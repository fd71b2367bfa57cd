package org.pacsmigrator.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The STOW-RS body: exactly its announced length, well-formed multipart/related, read from the files as it goes. */
class MultipartBodyTest {
    @TempDir
    Path dir;

    @Test
    void theBodyIsMultipartRelatedOfTheFilesInOrderWithItsExactLength() throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            files.add(Files.writeString(dir.resolve(i + ".dcm"), "image-" + i));
        }
        MultipartBody body = new MultipartBody(files);
        String boundary = body.contentType().substring(body.contentType().indexOf("boundary=") + 9);
        assertThat(body.contentType()).startsWith("multipart/related; type=\"application/dicom\"; boundary=");
        byte[] bytes;
        try (InputStream in = body.open()) {
            bytes = in.readAllBytes();
        }
        assertThat((long) bytes.length).isEqualTo(body.length());
        String part = "Content-Type: application/dicom\r\n\r\n";
        assertThat(new String(bytes, StandardCharsets.US_ASCII)).isEqualTo(
                "--" + boundary + "\r\n" + part + "image-0"
                + "\r\n--" + boundary + "\r\n" + part + "image-1"
                + "\r\n--" + boundary + "\r\n" + part + "image-2"
                + "\r\n--" + boundary + "--\r\n");
    }

    @Test
    void aFileIsOpenedOnlyWhenItsTurnComes() throws Exception {
        Path first = Files.write(dir.resolve("a.dcm"), new byte[200_000]);
        Path second = Files.write(dir.resolve("b.dcm"), new byte[200_000]);
        MultipartBody body = new MultipartBody(List.of(first, second));
        try (InputStream in = body.open()) {
            in.readNBytes(1000);
            // the second file is not open yet: deleting it now makes no difference to the first part
            Files.delete(second);
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            Exception failure = null;
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    rest.write(buffer, 0, n);
                }
            } catch (Exception e) {
                failure = e;
            }
            assertThat(failure).as("the second file is opened when reached, and is gone").isNotNull();
            assertThat(rest.size()).as("the whole first file was read before").isGreaterThanOrEqualTo(200_000 - 1000);
        }
    }
}
