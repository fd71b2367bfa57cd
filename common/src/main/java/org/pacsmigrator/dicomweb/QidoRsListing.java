package org.pacsmigrator.dicomweb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.StudyInstanceListing;

/**
 * The instances a DICOMweb archive lists for a study, by QIDO-RS ({@code GET {base}/studies/{uid}/instances}),
 * page by page with limit/offset until a page is empty or brings nothing new: an archive that caps its answers
 * below our limit is read to the end all the same, one that ignores offset does not loop.
 */
public final class QidoRsListing implements StudyInstanceListing {
    static final String SOP_INSTANCE_UID = "00080018";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The most bytes read of one page (an instance's entry is well under 1 KiB with only its UIDs). */
    private static final int MAX_PAGE_BYTES = 64 * 1024 * 1024;

    private final DicomWebEndpoint endpoint;
    private final int pageSize;

    public QidoRsListing(DicomWebEndpoint endpoint, int pageSize) {
        this.endpoint = endpoint;
        this.pageSize = pageSize;
    }

    @Override
    public Set<String> sopInstanceUids(String studyInstanceUid, int expectedInstances) throws DicomException {
        if (!studyInstanceUid.matches("[0-9.]{1,64}")) {
            throw new DicomException(DicomException.Category.OTHER, "not a UID: '" + studyInstanceUid + "'");
        }
        Set<String> uids = new HashSet<>();
        for (int offset = 0; ; ) {
            Set<String> page = page(studyInstanceUid, offset);
            int before = uids.size();
            uids.addAll(page);
            if (page.isEmpty() || uids.size() == before) {
                return uids;
            }
            offset += page.size();
        }
    }

    /** One page; empty when the archive has nothing (more) of the study (204, or 404 for an unknown study). */
    private Set<String> page(String studyUid, int offset) throws DicomException {
        HttpRequest request = endpoint.request("/studies/" + studyUid + "/instances?includefield=" + SOP_INSTANCE_UID
                + "&limit=" + pageSize + "&offset=" + offset).header("Accept", "application/dicom+json").GET().build();
        HttpResponse<InputStream> response = endpoint.sendOrFail(request, "querying");
        if (response.statusCode() == 204 || response.statusCode() == 404) {
            DicomWebEndpoint.readBody(response, MAX_PAGE_BYTES);
            return Set.of();
        }
        if (response.statusCode() != 200) {
            throw DicomWebEndpoint.unexpected(request, response);
        }
        byte[] body = DicomWebEndpoint.readBody(response, MAX_PAGE_BYTES);
        Set<String> uids = new HashSet<>();
        try {
            JsonNode matches = body.length == 0 ? JSON.createArrayNode() : JSON.readTree(body);
            if (!matches.isArray()) {
                throw new IOException("expected a JSON array of matches");
            }
            for (JsonNode match : matches) {
                String uid = match.path(SOP_INSTANCE_UID).path("Value").path(0).asText("");
                if (!uid.isEmpty()) {
                    uids.add(uid);
                }
            }
        } catch (IOException e) {
            throw new DicomException(DicomException.Category.OTHER, "QIDO-RS answer of " + request.uri().getPath()
                    + " is not DICOM JSON: " + e.getMessage(), e);
        }
        return uids;
    }

    /** A request that shows the archive answers and accepts our credentials (health checks, start-up). */
    public static void probe(DicomWebEndpoint endpoint) throws DicomException, InterruptedException {
        HttpRequest request = endpoint.request("/studies?limit=1").header("Accept", "application/dicom+json").GET().build();
        HttpResponse<InputStream> response = endpoint.send(request);
        if (response.statusCode() != 200 && response.statusCode() != 204) {
            throw DicomWebEndpoint.unexpected(request, response);
        }
        DicomWebEndpoint.readBody(response, MAX_PAGE_BYTES);
    }

    @Override
    public String method() {
        return "QIDO-RS";
    }

    @Override
    public String toString() {
        return "QIDO-RS " + endpoint;
    }
}
