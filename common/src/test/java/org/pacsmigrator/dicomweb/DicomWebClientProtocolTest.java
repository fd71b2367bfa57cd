package org.pacsmigrator.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.FindOutcome;
import org.pacsmigrator.dicom.InstanceRefusal;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.ReceivedInstance;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.RetrieveOutcome;
import org.pacsmigrator.dicom.find.SplitSettings;
import org.pacsmigrator.dicom.find.SplittingFinder;
import org.pacsmigrator.dicom.find.StudyQuery;
import org.pacsmigrator.testsupport.TextImages;

/**
 * The DICOMweb client against small HTTP peers that answer what a real archive would only by accident: an archive
 * that ignores offset or announces more matches than it gives, and WADO-RS answers carrying an instance not asked
 * for, a malformed instance, or breaking off inside one.
 */
class DicomWebClientProtocolTest {
    private static final DicomNode ARCHIVE = new DicomNode("ARCHIVE", "127.0.0.1", 104);
    private static final String DAY = "20240105";
    private static final String STUDY = "1.2.3";
    private static final String SERIES = "1.2.3.1";

    private HttpServer server;
    private volatile HttpHandler peer;
    @TempDir
    Path work;

    @BeforeEach
    void startPeer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> peer.handle(exchange));
        server.start();
    }

    @AfterEach
    void stopPeer() {
        server.stop(0);
    }

    private DicomWebClient client(int pageSize) {
        return new DicomWebClient(DicomWebClientOrthancTest.endpoint("http://127.0.0.1:" + server.getAddress().getPort()
                + "/dicom-web"), pageSize);
    }

    private static Map<String, String> parameters(HttpExchange exchange) {
        Map<String, String> p = new HashMap<>();
        String query = exchange.getRequestURI().getRawQuery();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            String[] kv = pair.split("=", 2);
            p.merge(kv[0], URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8), (a, b) -> a + "," + b);
        }
        return p;
    }

    private static void answer(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Studies of {@link #DAY} at the given times, searched by StudyTime range; offset honoured or not, results capped. */
    private static HttpHandler qido(List<String> times, boolean honoursOffset, int maxResults) {
        return exchange -> {
            Map<String, String> p = parameters(exchange);
            String range = p.getOrDefault("00080030", "000000-235959");
            String from = range.substring(0, 6);
            String to = range.substring(range.indexOf('-') + 1, range.indexOf('-') + 7);
            List<String> matching = times.stream().filter(t -> t.compareTo(from) >= 0 && t.compareTo(to) <= 0).toList();
            int offset = honoursOffset ? Integer.parseInt(p.get("offset")) : 0;
            int end = Math.min(Math.min(matching.size(), maxResults), offset + Integer.parseInt(p.get("limit")));
            StringBuilder json = new StringBuilder("[");
            for (int i = offset; i < end; i++) {
                json.append(i == offset ? "" : ",").append(String.format(
                        "{\"0020000D\":{\"vr\":\"UI\",\"Value\":[\"1.2.%s\"]},\"00080020\":{\"vr\":\"DA\",\"Value\":[\"%s\"]},"
                        + "\"00080030\":{\"vr\":\"TM\",\"Value\":[\"%s\"]},\"00100020\":{\"vr\":\"LO\",\"Value\":[\"P\"]},"
                        + "\"00080061\":{\"vr\":\"CS\",\"Value\":[\"CT\"]}}", matching.get(i), DAY, matching.get(i)));
            }
            if (matching.size() > maxResults && offset + Integer.parseInt(p.get("limit")) >= maxResults) {
                exchange.getResponseHeaders().add("Warning", "299 peer: There are additional results that can be requested");
            }
            answer(exchange, 200, "application/dicom+json", json.append(']').toString().getBytes(StandardCharsets.UTF_8));
        };
    }

    private static final List<String> TIMES = List.of("010000", "050000", "090000", "130000", "170000");

    @Test
    void anArchiveIgnoringOffsetAnswersCappedAndASplittingFinderSplitsTheDayToFindEveryStudy() throws Exception {
        peer = qido(TIMES, false, Integer.MAX_VALUE);
        DicomWebClient client = client(2);
        List<DicomDataset> matches = new ArrayList<>();
        FindOutcome capped = client.find(ARCHIVE, QueryLevel.STUDY, DicomDataset.of(Map.of("StudyDate", DAY,
                "StudyInstanceUID", "")), matches::add);
        assertThat(capped).isEqualTo(new FindOutcome(2, 0xFE00));
        assertThat(matches).extracting(m -> m.get("StudyInstanceUID")).containsExactly("1.2.010000", "1.2.050000");

        List<String> spans = new CopyOnWriteArrayList<>();
        StudyQuery query = keys -> {
            List<DicomDataset> found = new ArrayList<>();
            FindOutcome outcome = client.find(ARCHIVE, QueryLevel.STUDY, keys, found::add);
            spans.add(keys.get("StudyTime"));
            return new StudyQuery.Answer(found, outcome, outcome.cappedAt(0));
        };
        SplittingFinder.Found found = new SplittingFinder(query, List.of("StudyTime"),
                new SplitSettings(Duration.ofMinutes(1), List.of(), "0123456789")).findDay(LocalDate.of(2024, 1, 5));
        assertThat(found.studies().keySet()).containsExactlyInAnyOrder("1.2.010000", "1.2.050000", "1.2.090000",
                "1.2.130000", "1.2.170000");
        assertThat(spans).hasSizeGreaterThan(3);
    }

    @Test
    void anArchiveAnnouncingMoreResultsThanItGivesAnswersCappedAndOnePagingToTheEndDoesNot() throws Exception {
        DicomDataset keys = DicomDataset.of(Map.of("StudyDate", DAY, "StudyInstanceUID", ""));
        peer = qido(TIMES, true, 3);
        assertThat(client(5).find(ARCHIVE, QueryLevel.STUDY, keys, m -> { })).isEqualTo(new FindOutcome(3, 0xFE00));
        peer = qido(TIMES, true, Integer.MAX_VALUE);
        List<DicomDataset> all = new ArrayList<>();
        assertThat(client(2).find(ARCHIVE, QueryLevel.STUDY, keys, all::add)).isEqualTo(new FindOutcome(5, 0x0000));
        assertThat(all).extracting(m -> m.get("StudyTime")).containsExactlyElementsOf(TIMES);
    }

    @Test
    void anArchiveRefusingAQueryFailsItWithItsStatus() {
        peer = exchange -> answer(exchange, 400, "text/plain", "bad query".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> client(5).find(ARCHIVE, QueryLevel.STUDY, DicomDataset.of(Map.of("StudyDate", DAY)), m -> { }))
                .isInstanceOf(DicomException.class).hasMessageContaining("HTTP 400")
                .extracting(e -> ((DicomException) e).category()).isEqualTo(DicomException.Category.FAILURE_STATUS);
    }

    // ---- WADO-RS ---------------------------------------------------------------------------------------------

    private static byte[] image(String study, String series, String sop) {
        return TextImages.part10(new TextImages.Image("ISO_IR 192", "Müller^Jürgen".getBytes(StandardCharsets.UTF_8),
                "PID-1", "19700101", "F", DAY, study, series, sop));
    }

    /** A multipart/related answer of the given parts, ending with the closing delimiter or, if {@code cut}, cut short. */
    private static HttpHandler wado(String boundaryParameter, String boundary, List<byte[]> parts, byte[] cut) {
        return exchange -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes("a preamble to skip\r\n".getBytes(StandardCharsets.US_ASCII));
            for (byte[] part : parts) {
                body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                body.writeBytes(part);
                body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            if (cut != null) {
                body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                body.writeBytes(cut);
            } else {
                body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            exchange.getResponseHeaders().set("Content-Type", "multipart/related; type=\"application/dicom\"; boundary="
                    + boundaryParameter);
            exchange.sendResponseHeaders(200, 0); // chunked: the body simply ends where the peer stops
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body.toByteArray());
            }
        };
    }

    private static final class Keeper implements ReceivedInstanceHandler {
        final List<ReceivedInstance> received = new CopyOnWriteArrayList<>();
        final List<InstanceRefusal> refusals = new CopyOnWriteArrayList<>();
        int deliveries;

        @Override
        public void onReceived(ReceivedInstance instance) {
            received.add(instance);
        }

        @Override
        public void refused(InstanceRefusal refusal) {
            refusals.add(refusal);
        }

        @Override
        public void deliveryEnded() {
            deliveries++;
        }
    }

    private List<Path> filesLeft() throws IOException {
        try (Stream<Path> files = Files.list(work)) {
            return files.toList();
        }
    }

    @Test
    void anInstanceNotAskedForAndOneTheAnswerCutsShortAreRefusedThenTheRetrieveFailsAsAnAbortedAssociation()
            throws Exception {
        byte[] asked = image(STUDY, SERIES, "1.2.3.1.1");
        byte[] cut = image(STUDY, SERIES, "1.2.3.1.3");
        peer = wado("\"q;b\"", "q;b", List.of(asked, image("9.9.9", "9.9.9.1", "9.9.9.1.1")),
                Arrays.copyOf(cut, cut.length - 10));
        Keeper keeper = new Keeper();
        assertThatThrownBy(() -> client(5).get(ARCHIVE, QueryLevel.STUDY, DicomDataset.of(Map.of("StudyInstanceUID", STUDY)),
                work, keeper))
                .isInstanceOf(DicomException.class).hasMessageContaining("broke off after 1 instances")
                .extracting(e -> ((DicomException) e).category()).isEqualTo(DicomException.Category.ASSOCIATION_REJECTED);
        assertThat(keeper.received).singleElement().satisfies(i -> {
            assertThat(i.sopInstanceUid()).isEqualTo("1.2.3.1.1");
            assertThat(Files.readAllBytes(i.file())).isEqualTo(asked);
            assertThat(i.patient().patientName()).isEqualTo("Müller^Jürgen");
        });
        assertThat(keeper.refusals).extracting(InstanceRefusal::sopInstanceUid, InstanceRefusal::studyInstanceUid,
                InstanceRefusal::category).containsExactly(
                tuple("9.9.9.1.1", "9.9.9", InstanceRefusal.NOT_ASKED_FOR),
                tuple("1.2.3.1.3", STUDY, InstanceRefusal.INCOMPLETE));
        assertThat(keeper.deliveries).isEqualTo(1);
        assertThat(filesLeft()).containsExactly(keeper.received.get(0).file());
    }

    @Test
    void aSeriesAnswerWithAnotherSeriesAndAMalformedInstanceCountsThemFailedAndEndsNormally() throws Exception {
        byte[] asked = image(STUDY, SERIES, "1.2.3.1.1");
        byte[] malformed = image(STUDY, SERIES, "1.2.3.1.2");
        peer = wado("plain-boundary", "plain-boundary", List.of(image(STUDY, "1.2.3.2", "1.2.3.2.1"), asked,
                Arrays.copyOf(malformed, malformed.length - 6)), null);
        Keeper keeper = new Keeper();
        RetrieveOutcome outcome = client(5).get(ARCHIVE, QueryLevel.SERIES, DicomDataset.of(Map.of("StudyInstanceUID", STUDY,
                "SeriesInstanceUID", SERIES)), work, keeper);
        assertThat(outcome).isEqualTo(new RetrieveOutcome(0xB000, 1, 2, 0));
        assertThat(keeper.received).extracting(ReceivedInstance::sopInstanceUid).containsExactly("1.2.3.1.1");
        assertThat(keeper.refusals).extracting(InstanceRefusal::sopInstanceUid, InstanceRefusal::category).containsExactly(
                tuple("1.2.3.2.1", InstanceRefusal.NOT_ASKED_FOR), tuple("1.2.3.1.2", InstanceRefusal.INCOMPLETE));
        assertThat(filesLeft()).hasSize(1);
    }

    @Test
    void anAnswerThatStallsInsideAnInstanceFailsAsATimeoutAfterHandingOnWhatCameBefore() throws Exception {
        byte[] first = image(STUDY, SERIES, "1.2.3.1.1");
        byte[] stalled = image(STUDY, SERIES, "1.2.3.1.2");
        CountDownLatch release = new CountDownLatch(1);
        peer = exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=s");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("--s\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(first);
            out.write("\r\n--s\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(stalled, 0, stalled.length / 2);
            out.flush();
            try {
                release.await(60, TimeUnit.SECONDS); // the rest never comes while the client waits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        };
        DicomWebClient client = new DicomWebClient(new DicomWebEndpoint(URI.create("http://127.0.0.1:"
                + server.getAddress().getPort() + "/dicom-web"), HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .build(), null, Duration.ofSeconds(1)), 5);
        Keeper keeper = new Keeper();
        try {
            assertThatThrownBy(() -> client.get(ARCHIVE, QueryLevel.STUDY, DicomDataset.of(Map.of("StudyInstanceUID", STUDY)),
                    work, keeper))
                    .isInstanceOf(DicomException.class).hasMessageContaining("no data for")
                    .extracting(e -> ((DicomException) e).category()).isEqualTo(DicomException.Category.TIMEOUT);
        } finally {
            release.countDown();
        }
        assertThat(keeper.received).extracting(ReceivedInstance::sopInstanceUid).containsExactly("1.2.3.1.1");
        assertThat(keeper.refusals).extracting(InstanceRefusal::sopInstanceUid, InstanceRefusal::category)
                .containsExactly(tuple("1.2.3.1.2", InstanceRefusal.INCOMPLETE));
    }

    @Test
    void anAnswerThatIsNotMultipartFailsTheRetrieve() {
        peer = exchange -> answer(exchange, 200, "application/dicom", image(STUDY, SERIES, "1.2.3.1.1"));
        Keeper keeper = new Keeper();
        assertThatThrownBy(() -> client(5).get(ARCHIVE, QueryLevel.STUDY, DicomDataset.of(Map.of("StudyInstanceUID", STUDY)),
                work, keeper)).isInstanceOf(DicomException.class).hasMessageContaining("not multipart/related");
        assertThat(keeper.deliveries).isEqualTo(1);
    }
}
