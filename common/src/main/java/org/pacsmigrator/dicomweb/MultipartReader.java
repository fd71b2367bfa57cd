package org.pacsmigrator.dicomweb;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a multipart body (RFC 2046) part by part as it streams in: each part's body is a stream that ends at the
 * next delimiter, so no part is ever held in memory, whatever its size. The preamble before the first delimiter
 * and the epilogue after the closing one are ignored; header lines are bounded in length and number. A body that
 * ends before its closing delimiter makes the part being read (or the next {@link #next}) throw {@link EOFException}.
 */
final class MultipartReader {
    static final int MAX_HEADER_LINE = 1024;
    static final int MAX_HEADERS = 32;
    private static final int BUFFER = 64 * 1024;

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buf;
    private int start;
    private int end;
    private boolean eof;
    /** Body bytes known to come before any delimiter: [start, clear). */
    private int clear;
    /** Where the delimiter ending the current body was found; -1 when not yet. */
    private int delimiterAt = -1;
    private PartBody current;
    private boolean finished;

    /** One part: its headers (names in lower case) and its body, valid until the next {@link #next}. */
    record Part(Map<String, String> headers, InputStream body) {
    }

    MultipartReader(InputStream in, String boundary) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw new IllegalArgumentException("a multipart boundary has 1 to 70 characters");
        }
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        this.buf = new byte[BUFFER + delimiter.length];
        // as if a line break came first, so that a delimiter at the very beginning is found like any other
        buf[0] = '\r';
        buf[1] = '\n';
        end = 2;
    }

    /** The next part, null after the closing delimiter. */
    Part next() throws IOException {
        if (finished) {
            return null;
        }
        (current == null ? new PartBody() : current).skipRest(); // the preamble, or what the caller left unread
        if (byteAt(0) == '-' && byteAt(1) == '-') {
            finished = true;
            return null;
        }
        skipLineEnd();
        Map<String, String> headers = headers();
        current = new PartBody();
        return new Part(headers, current);
    }

    private void skipLineEnd() throws IOException {
        while (byteAt(0) == ' ' || byteAt(0) == '\t') { // transport padding
            start++;
        }
        if (byteAt(0) != '\r' || byteAt(1) != '\n') {
            throw new IOException("malformed multipart body: no line break after a boundary");
        }
        start += 2;
        clear = start;
    }

    private Map<String, String> headers() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int count = 0; ; count++) {
            String line = line();
            if (line.isEmpty()) {
                return headers;
            }
            if (count == MAX_HEADERS) {
                throw new IOException("malformed multipart body: more than " + MAX_HEADERS + " header lines in a part");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
        }
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        while (byteAt(0) != '\r' || byteAt(1) != '\n') {
            if (line.length() == MAX_HEADER_LINE) {
                throw new IOException("malformed multipart body: a header line longer than " + MAX_HEADER_LINE + " bytes");
            }
            line.append((char) (buf[start++] & 0xFF));
        }
        start += 2;
        clear = start;
        return line.toString();
    }

    /** The byte {@code ahead} bytes after the next one, reading more if needed; EOF when the body ends first. */
    private int byteAt(int ahead) throws IOException {
        fill(ahead + 1);
        if (end - start <= ahead) {
            throw new EOFException("the multipart body ends before its closing boundary");
        }
        return buf[start + ahead] & 0xFF;
    }

    /** At least {@code n} bytes buffered unless the stream ends first. */
    private void fill(int n) throws IOException {
        if (end - start >= n) {
            return;
        }
        if (start > 0 && (buf.length - start < n || start > BUFFER / 2)) {
            int shift = start;
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= shift;
            start = 0;
            clear = Math.max(0, clear - shift);
            delimiterAt = delimiterAt < 0 ? -1 : delimiterAt - shift;
        }
        while (end - start < n && !eof) {
            int r = in.read(buf, end, buf.length - end);
            if (r < 0) {
                eof = true;
            } else {
                end += r;
            }
        }
    }

    /** Body bytes that can be handed out now; 0 when the delimiter is next. */
    private int ready() throws IOException {
        while (true) {
            if (clear > start) {
                return clear - start;
            }
            if (delimiterAt == start) {
                return 0;
            }
            fill(delimiter.length);
            int found = indexOfDelimiter();
            if (found >= 0) {
                delimiterAt = found;
                clear = found;
            } else if (eof) {
                throw new EOFException("the multipart body ends inside a part");
            } else {
                clear = end - delimiter.length + 1;
            }
        }
    }

    private int indexOfDelimiter() {
        outer:
        for (int i = start; i <= end - delimiter.length; i++) {
            for (int j = 0; j < delimiter.length; j++) {
                if (buf[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The body of one part (or the preamble): ends at the delimiter, which it consumes. */
    private final class PartBody extends InputStream {
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended || current != this && current != null) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = ready();
            if (n == 0) {
                start += delimiter.length;
                delimiterAt = -1;
                clear = start;
                ended = true;
                return -1;
            }
            n = Math.min(n, len);
            System.arraycopy(buf, start, b, off, n);
            start += n;
            return n;
        }

        void skipRest() throws IOException {
            while (!ended) {
                int n = ready();
                if (n == 0) {
                    read(new byte[1], 0, 1);
                } else {
                    start += n;
                }
            }
        }
    }
}
