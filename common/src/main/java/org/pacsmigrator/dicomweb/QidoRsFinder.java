package org.pacsmigrator.dicomweb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomKeywords;
import org.pacsmigrator.dicom.FindOutcome;

/**
 * A C-FIND answered by QIDO-RS, page by page ({@code limit}/{@code offset}) until a page is shorter than the limit.
 * Matches are handed on as each page arrives, once per UID of the level. An answer we cannot read to its end is
 * reported capped (status 0xFE00, as Orthanc's C-FIND cancels at its limit) so that a caller splits the query:
 * the archive ignores offset (a page brings nothing new), or it says there is more (HTTP {@code Warning: 299},
 * PS3.18 8.3.4.4) and then gives nothing more, or the query cannot be paged safely ({@link QidoQuery#pageable})
 * and its one page is full.
 */
final class QidoRsFinder {
    static final int CAPPED = 0xFE00;
    /** The most bytes read of one page: a match with a few dozen attributes is a few KiB. */
    static final int MAX_PAGE_BYTES = 64 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DicomWebEndpoint endpoint;
    private final int pageSize;

    QidoRsFinder(DicomWebEndpoint endpoint, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be at least 1: " + pageSize);
        }
        this.endpoint = endpoint;
        this.pageSize = pageSize;
    }

    private record Page(List<JsonNode> matches, boolean moreAnnounced) {
    }

    FindOutcome find(QidoQuery query, Consumer<DicomDataset> onMatch) throws DicomException {
        String uidTag = DicomKeywords.tagOf(query.matchUidKeyword());
        Set<String> seen = new HashSet<>();
        int delivered = 0;
        boolean moreAnnounced = false;
        for (int offset = 0; ; ) {
            Page page = page(query.page(pageSize, offset));
            if (page.matches().isEmpty()) {
                return new FindOutcome(delivered, moreAnnounced ? CAPPED : 0x0000);
            }
            int fresh = 0;
            for (JsonNode match : page.matches()) {
                String uid = match.path(uidTag).path("Value").path(0).asText("");
                boolean isNew = !uid.isEmpty() && seen.add(uid);
                if (isNew) {
                    fresh++;
                }
                if (isNew || uid.isEmpty()) { // a match without its UID cannot be told apart: handed on, not counted new
                    delivered++;
                    onMatch.accept(withImplied(DicomJson.toDataset(match), query.implied()));
                }
            }
            if (offset > 0 && fresh == 0) {
                return new FindOutcome(delivered, CAPPED); // offset ignored: the same matches again
            }
            moreAnnounced = page.moreAnnounced();
            if (page.matches().size() < pageSize && !moreAnnounced) {
                return new FindOutcome(delivered, 0x0000);
            }
            if (!query.pageable()) {
                return new FindOutcome(delivered, CAPPED); // a second page could lose matches unseen
            }
            offset += page.matches().size();
        }
    }

    /** What the query implies of every match (see {@link QidoQuery#implied}), said as a C-FIND match says it. */
    private static DicomDataset withImplied(DicomDataset match, Map<String, String> implied) {
        if (implied.isEmpty()) {
            return match;
        }
        Map<String, String> values = new LinkedHashMap<>(match.asMap());
        values.putAll(implied);
        return new DicomDataset(values);
    }

    /**
     * A 299 warning about the size of the answer ("There are additional results that can be requested", "... exceeded
     * the maximum ..."); other 299 warnings (an unsupported parameter) say nothing about more matches.
     */
    static boolean announcesMore(String warning) {
        String w = warning.strip().toLowerCase(Locale.ROOT);
        return w.startsWith("299") && (w.contains("additional result") || w.contains("exceed") || w.contains("truncat"));
    }

    /** One page: no matches for 204, or 404 (an unknown study or series has none). */
    private Page page(String pathAndQuery) throws DicomException {
        HttpRequest request = endpoint.request(pathAndQuery).header("Accept", "application/dicom+json").GET().build();
        HttpResponse<InputStream> response = endpoint.sendOrFail(request, "querying");
        int status = response.statusCode();
        if (status == 204 || status == 404) {
            DicomWebEndpoint.readBody(response, MAX_PAGE_BYTES);
            return new Page(List.of(), false);
        }
        if (status != 200) {
            throw DicomWebEndpoint.unexpected(request, response);
        }
        boolean more = response.headers().allValues("Warning").stream().anyMatch(QidoRsFinder::announcesMore);
        byte[] body = DicomWebEndpoint.readBody(response, MAX_PAGE_BYTES);
        try {
            JsonNode matches = body.length == 0 ? JSON.createArrayNode() : JSON.readTree(body);
            if (!matches.isArray()) {
                throw new IOException("expected a JSON array of matches");
            }
            List<JsonNode> list = new ArrayList<>(matches.size());
            matches.forEach(list::add);
            return new Page(list, more);
        } catch (IOException e) {
            throw new DicomException(DicomException.Category.OTHER, "QIDO-RS answer of " + request.uri().getPath()
                    + " is not DICOM JSON: " + e.getMessage(), e);
        }
    }
}
