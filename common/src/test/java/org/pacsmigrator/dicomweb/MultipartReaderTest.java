package org.pacsmigrator.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming multipart reader on crafted bodies: framing edge cases, chunking, bounds and bodies cut short. */
class MultipartReaderTest {
    private static final String BOUNDARY = "b0und4ry";

    /** Hands out at most {@code chunk} bytes per read, as a network stream may. */
    private static InputStream chunked(byte[] body, int chunk) {
        return new FilterInputStream(new ByteArrayInputStream(body)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static byte[] bytes(Object... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : pieces) {
            out.writeBytes(p instanceof byte[] b ? b : p.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    private static List<byte[]> bodies(MultipartReader reader) throws IOException {
        List<byte[]> bodies = new ArrayList<>();
        for (MultipartReader.Part p; (p = reader.next()) != null; ) {
            bodies.add(p.body().readAllBytes());
        }
        return bodies;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void partsBetweenPreambleAndEpilogueWithTheirHeaders() throws IOException {
        byte[] body = bytes("this is a preamble\r\n--", BOUNDARY, "\r\nContent-Type: application/dicom\r\nX-Other:  v \r\n\r\n",
                "first", "\r\n--", BOUNDARY, "   \r\nContent-Type: application/dicom\r\n\r\n", "second\r\n",
                "\r\n--", BOUNDARY, "--\r\nan epilogue");
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(body), BOUNDARY);
        MultipartReader.Part first = reader.next();
        assertThat(first.headers()).containsEntry("content-type", "application/dicom").containsEntry("x-other", "v");
        assertThat(first.body().readAllBytes()).asString().isEqualTo("first");
        assertThat(reader.next().body().readAllBytes()).asString().isEqualTo("second\r\n");
        assertThat(reader.next()).isNull();
        assertThat(reader.next()).isNull();
    }

    @Test
    void aDelimiterAtTheVeryBeginningAndAnEmptyPart() throws IOException {
        byte[] body = bytes("--", BOUNDARY, "\r\n\r\n", "\r\n--", BOUNDARY, "\r\n\r\nx\r\n--", BOUNDARY, "--");
        assertThat(bodies(new MultipartReader(new ByteArrayInputStream(body), BOUNDARY)))
                .extracting(b -> new String(b, StandardCharsets.US_ASCII)).containsExactly("", "x");
    }

    @Test
    void delimitersSplitAcrossReadsAndLookalikesInsideTheDataAreFound() throws IOException {
        byte[] big = random(300_000, 1); // several buffers' worth
        // beginnings of the delimiter that do not complete it (a whole boundary never occurs in a body, RFC 2046)
        byte[] lookalikes = bytes("\r\n--", BOUNDARY.substring(0, 7), "\r", "\r\n-", "--");
        byte[] body = bytes("--", BOUNDARY, "\r\n\r\n", big, "\r\n--", BOUNDARY, "\r\n\r\n", lookalikes,
                "\r\n--", BOUNDARY, "--\r\n");
        for (int chunk : new int[] {1, 2, 3, 7, 11, 4096, 70_000}) {
            List<byte[]> parts = bodies(new MultipartReader(chunked(body, chunk), BOUNDARY));
            assertThat(parts).hasSize(2);
            assertThat(parts.get(0)).as("chunk %d", chunk).isEqualTo(big);
            assertThat(parts.get(1)).as("chunk %d", chunk).isEqualTo(lookalikes);
        }
    }

    @Test
    void aPartLeftUnreadIsSkipped() throws IOException {
        byte[] big = random(200_000, 2);
        byte[] body = bytes("--", BOUNDARY, "\r\n\r\n", big, "\r\n--", BOUNDARY, "\r\n\r\nlast\r\n--", BOUNDARY, "--");
        MultipartReader reader = new MultipartReader(chunked(body, 1000), BOUNDARY);
        InputStream first = reader.next().body();
        assertThat(first.read()).isEqualTo(big[0] & 0xFF);
        assertThat(reader.next().body().readAllBytes()).asString().isEqualTo("last");
        assertThat(first.read()).isEqualTo(-1);
        assertThat(reader.next()).isNull();
    }

    @Test
    void aQuotedBoundaryWithSpecialCharactersIsTakenFromTheContentType() throws IOException {
        MediaType type = MediaType.parse("Multipart/Related; type=\"application/dicom\"; BOUNDARY=\"a;b=c d\"");
        assertThat(type.type()).isEqualTo("multipart/related");
        assertThat(type.parameter("type")).isEqualTo("application/dicom");
        assertThat(type.parameter("boundary")).isEqualTo("a;b=c d");
        assertThat(MediaType.parse("multipart/related;boundary=plain;type=application/dicom").parameter("boundary"))
                .isEqualTo("plain");
        byte[] body = bytes("--a;b=c d\r\n\r\npart\r\n--a;b=c d--");
        assertThat(bodies(new MultipartReader(new ByteArrayInputStream(body), type.parameter("boundary"))))
                .extracting(b -> new String(b, StandardCharsets.US_ASCII)).containsExactly("part");
    }

    @Test
    void aBodyEndingInsideAPartFailsThatPart() throws IOException {
        byte[] body = bytes("--", BOUNDARY, "\r\n\r\n", "whole\r\n--", BOUNDARY, "\r\n\r\n", random(100_000, 3));
        MultipartReader reader = new MultipartReader(chunked(body, 5000), BOUNDARY);
        assertThat(reader.next().body().readAllBytes()).asString().isEqualTo("whole");
        InputStream cut = reader.next().body();
        assertThatThrownBy(cut::readAllBytes).isInstanceOf(EOFException.class);
    }

    @Test
    void aBodyEndingAfterAPartWithoutTheClosingDelimiterFailsTheNextPart() throws IOException {
        byte[] body = bytes("--", BOUNDARY, "\r\n\r\n", "whole\r\n--", BOUNDARY);
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(body), BOUNDARY);
        assertThat(reader.next().body().readAllBytes()).asString().isEqualTo("whole");
        assertThatThrownBy(reader::next).isInstanceOf(EOFException.class);
    }

    @Test
    void aBodyWithoutAnyDelimiterHasNoParts() {
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(random(1000, 4)), BOUNDARY);
        assertThatThrownBy(reader::next).isInstanceOf(EOFException.class);
    }

    @Test
    void headerLinesAreBoundedInLengthAndNumber() {
        byte[] longLine = bytes("--", BOUNDARY, "\r\nX: ", "a".repeat(MultipartReader.MAX_HEADER_LINE), "\r\n\r\nx\r\n--",
                BOUNDARY, "--");
        assertThatThrownBy(() -> new MultipartReader(new ByteArrayInputStream(longLine), BOUNDARY).next())
                .isInstanceOf(IOException.class).hasMessageContaining("header line longer");
        byte[] many = bytes("--", BOUNDARY, "\r\n", "X: y\r\n".repeat(MultipartReader.MAX_HEADERS + 1), "\r\nx\r\n--",
                BOUNDARY, "--");
        assertThatThrownBy(() -> new MultipartReader(new ByteArrayInputStream(many), BOUNDARY).next())
                .isInstanceOf(IOException.class).hasMessageContaining("header lines");
        byte[] enough = bytes("--", BOUNDARY, "\r\n", "X: y\r\n".repeat(MultipartReader.MAX_HEADERS), "\r\nx\r\n--",
                BOUNDARY, "--");
        assertThatCode(() -> bodies(new MultipartReader(new ByteArrayInputStream(enough), BOUNDARY)))
                .doesNotThrowAnyException();
    }

    @Test
    void whatOurOwnStowBodyWritesReadsBackAsItsFiles(@TempDir Path dir) throws IOException {
        Path a = Files.write(dir.resolve("a"), random(123_457, 5));
        Path b = Files.write(dir.resolve("b"), random(3, 6));
        MultipartBody written = new MultipartBody(List.of(a, b));
        String boundary = MediaType.parse(written.contentType()).parameter("boundary");
        List<byte[]> parts = bodies(new MultipartReader(chunked(written.open().readAllBytes(), 777), boundary));
        assertThat(parts).hasSize(2);
        assertThat(parts.get(0)).isEqualTo(Files.readAllBytes(a));
        assertThat(parts.get(1)).isEqualTo(Files.readAllBytes(b));
    }
}
