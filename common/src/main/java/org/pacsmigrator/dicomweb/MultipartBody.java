package org.pacsmigrator.dicomweb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.UUID;

/**
 * A STOW-RS request body, {@code multipart/related; type="application/dicom"}, read from the files as it is
 * sent: one file open at a time, nothing of it held beyond the HTTP client's buffer. Its length is known
 * beforehand (the files' sizes), so the request carries a Content-Length and needs no chunked encoding.
 */
final class MultipartBody {
    private final String boundary = "pacsmig-" + UUID.randomUUID();
    private final List<Path> files;
    private final long length;

    MultipartBody(List<Path> files) throws IOException {
        this.files = List.copyOf(files);
        long total = closing().length;
        for (int i = 0; i < this.files.size(); i++) {
            total += partHeaders(i).length + Files.size(this.files.get(i));
        }
        this.length = total;
    }

    String contentType() {
        return "multipart/related; type=\"application/dicom\"; boundary=" + boundary;
    }

    long length() {
        return length;
    }

    HttpRequest.BodyPublisher publisher() {
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(this::open), length);
    }

    /** The body as a stream that opens each file when its turn comes and closes it when read. */
    InputStream open() {
        return new SequenceInputStream(new Enumeration<>() {
            private int next; // even: a part's delimiter and headers, odd: its file; then the closing delimiter

            @Override
            public boolean hasMoreElements() {
                return next <= 2 * files.size();
            }

            @Override
            public InputStream nextElement() {
                int i = next++;
                if (i == 2 * files.size()) {
                    return new ByteArrayInputStream(closing());
                }
                if (i % 2 == 0) {
                    return new ByteArrayInputStream(partHeaders(i / 2));
                }
                try {
                    return Files.newInputStream(files.get(i / 2));
                } catch (IOException e) {
                    return failing(e); // the request fails with it
                }
            }
        });
    }

    /** The delimiter and headers before part {@code i} (the CRLF before a delimiter ends the previous part). */
    private byte[] partHeaders(int i) {
        return ((i == 0 ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static InputStream failing(IOException e) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                throw e;
            }
        };
    }

    private byte[] closing() {
        return ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
