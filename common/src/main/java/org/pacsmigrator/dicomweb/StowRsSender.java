package org.pacsmigrator.dicomweb;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.InstanceSender;
import org.pacsmigrator.dicom.OutgoingInstance;
import org.pacsmigrator.dicom.StoreListener;

/**
 * Stores instances with STOW-RS ({@code POST {base}/studies}), each request at most {@code maxRequestBytes} of
 * images (at least one), its body streamed from the files. The answer is read per instance into C-STORE
 * statuses: stored = 0x0000 or its WarningReason (0xB000 coercion, ...); failed = its FailureReason (0xC122, a
 * transfer syntax the archive does not take, as "not negotiated", so a configured conversion applies); an
 * instance the answer does not mention is sent once more on its own (an archive may stop reading a request at
 * an instance it refuses), then counts as a processing failure (0x0110).
 */
public final class StowRsSender implements InstanceSender {
    /** FailureReason "Referenced Transfer Syntax not supported" (PS3.18 table of STOW-RS failure reasons). */
    static final int TRANSFER_SYNTAX_NOT_SUPPORTED = 0xC122;
    /** The largest answer read: a few hundred bytes per instance, far below this. */
    private static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

    private final DicomWebEndpoint endpoint;
    private final long maxRequestBytes;
    private final LongConsumer requestSizes;

    public StowRsSender(DicomWebEndpoint endpoint, long maxRequestBytes) {
        this(endpoint, maxRequestBytes, size -> {
        });
    }

    /** @param requestSizes told the body length of every request sent (tests, metrics) */
    public StowRsSender(DicomWebEndpoint endpoint, long maxRequestBytes, LongConsumer requestSizes) {
        this.endpoint = endpoint;
        this.maxRequestBytes = maxRequestBytes;
        this.requestSizes = requestSizes;
    }

    private record Part(Path file, String sopInstanceUid, long size) {
    }

    @Override
    public void send(List<OutgoingInstance> instances, StoreListener listener) throws DicomException {
        List<Part> parts = new ArrayList<>();
        for (OutgoingInstance i : instances) {
            try {
                String sop = i.sopInstanceUid() != null ? i.sopInstanceUid() : DicomFiles.readInfo(i.file()).sopInstanceUid();
                parts.add(new Part(i.file(), sop, Files.size(i.file())));
            } catch (IOException e) {
                listener.onStored(i.file(), "", StoreListener.UNREADABLE, e.getMessage());
            }
        }
        for (List<Part> request : requests(parts)) {
            List<Part> unanswered = post(request, listener);
            for (Part p : unanswered) {
                if (request.size() == 1 || !post(List.of(p), listener).isEmpty()) {
                    listener.onStored(p.file(), p.sopInstanceUid(), StowResponse.PROCESSING_FAILURE,
                            "not in the STOW-RS answer (neither stored nor failed)");
                }
            }
        }
    }

    /** Consecutive groups of at most {@link #maxRequestBytes} (an image larger than that goes alone). */
    private List<List<Part>> requests(List<Part> parts) {
        List<List<Part>> out = new ArrayList<>();
        List<Part> current = new ArrayList<>();
        long bytes = 0;
        for (Part p : parts) {
            if (!current.isEmpty() && bytes + p.size() > maxRequestBytes) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(p);
            bytes += p.size();
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** One request; reports the instances its answer names and returns those it does not. */
    private List<Part> post(List<Part> parts, StoreListener listener) throws DicomException {
        MultipartBody body;
        try {
            body = new MultipartBody(parts.stream().map(Part::file).toList());
        } catch (IOException e) {
            throw new DicomException(DicomException.Category.OTHER, "cannot read the images to send: " + e, e);
        }
        HttpRequest request = endpoint.request("/studies")
                .header("Content-Type", body.contentType())
                .header("Accept", "application/dicom+json, application/dicom+xml;q=0.5")
                .POST(body.publisher()).build();
        requestSizes.accept(body.length());
        HttpResponse<InputStream> response = endpoint.sendOrFail(request, "sending");
        int status = response.statusCode();
        if (status != 200 && status != 202 && status != 400 && status != 409) {
            throw DicomWebEndpoint.unexpected(request, response);
        }
        byte[] answer = DicomWebEndpoint.readBody(response, MAX_ANSWER_BYTES);
        StowResponse result = StowResponse.parse(answer, response.headers().firstValue("Content-Type").orElse(null))
                .orElse(null);
        if (result == null) {
            if (status == 400) {
                throw new DicomException(DicomException.Category.FAILURE_STATUS, "POST /studies: HTTP 400 without a STOW-RS answer");
            }
            return parts; // nothing confirmed: each is asked once more on its own
        }
        List<Part> unanswered = new ArrayList<>();
        for (Part p : parts) {
            Integer warning = result.stored().get(p.sopInstanceUid());
            Integer failure = result.failed().get(p.sopInstanceUid());
            if (failure != null) {
                int code = failure == TRANSFER_SYNTAX_NOT_SUPPORTED ? StoreListener.TRANSFER_SYNTAX_NOT_NEGOTIATED : failure;
                listener.onStored(p.file(), p.sopInstanceUid(), code, String.format("STOW-RS FailureReason 0x%04X", failure));
            } else if (warning != null) {
                listener.onStored(p.file(), p.sopInstanceUid(), warning,
                        warning == 0 ? null : String.format("STOW-RS WarningReason 0x%04X", warning));
            } else {
                unanswered.add(p);
            }
        }
        return unanswered;
    }

    @Override
    public String toString() {
        return "STOW-RS " + endpoint;
    }
}
