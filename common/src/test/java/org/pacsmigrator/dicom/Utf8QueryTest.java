package org.pacsmigrator.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.net.AllowedSender;
import org.pacsmigrator.dicom.net.CommandSet;
import org.pacsmigrator.dicom.net.ContextPolicy;
import org.pacsmigrator.dicom.net.DicomListener;
import org.pacsmigrator.dicom.net.DimseService;
import org.pacsmigrator.dicom.net.ListenerSettings;

/**
 * C-FINDs ask for UTF-8 answers (Specific Character Set ISO_IR 192 in the identifier) and ask again without
 * it, from then on, a peer that fails such a query. The peers are our own listener answering C-FIND with a
 * status only; Orthanc's answer (it ignores the request, see CharacterSetMigrationTest) is a real peer's.
 */
class Utf8QueryTest {
    private static final int C_FIND_RQ = 0x0020;

    /** Answers every C-FIND with {@code statusWithUtf8} when its identifier declares a character set, else success. */
    private static class FindPeer implements DimseService {
        final List<Boolean> askedUtf8 = new CopyOnWriteArrayList<>();
        private final int statusWithUtf8;

        FindPeer(int statusWithUtf8) {
            this.statusWithUtf8 = statusWithUtf8;
        }

        @Override
        public Set<Integer> commandFields() {
            return Set.of(C_FIND_RQ);
        }

        @Override
        public Request open(Peer peer, CommandSet command, String transferSyntax) {
            ByteArrayOutputStream identifier = new ByteArrayOutputStream();
            return new Request() {
                @Override
                public void data(byte[] buffer, int offset, int length) {
                    identifier.write(buffer, offset, length);
                }

                @Override
                public CommandSet complete() {
                    byte[] b = identifier.toByteArray();
                    // (0008,0005) is the identifier's first element when present
                    boolean utf8 = b.length > 4 && b[0] == 0x08 && b[1] == 0 && b[2] == 0x05 && b[3] == 0
                            && new String(b, 0, Math.min(b.length, 40), StandardCharsets.ISO_8859_1)
                            .contains("ISO_IR 192");
                    askedUtf8.add(utf8);
                    return command.response(utf8 ? statusWithUtf8 : 0x0000);
                }

                @Override
                public void abandon() {
                }
            };
        }
    }

    private static FindOutcome find(DicomClient client, DicomListener listener) throws DicomException {
        return client.find(new DicomNode("FINDPEER", "127.0.0.1", listener.port()), QueryLevel.STUDY,
                DicomDataset.of(Map.of("StudyDate", "20240105", "StudyInstanceUID", "", "PatientName", "")), m -> { });
    }

    private static DicomListener start(FindPeer peer) throws Exception {
        return DicomListener.start(ListenerSettings.of("find-peer", "FINDPEER", "127.0.0.1", 0,
                List.of(AllowedSender.parse("*"))), ContextPolicy.anyInFirstTransferSyntax(), List.of(peer), null);
    }

    @Test
    void aPeerThatFailsTheRequestForUtf8IsAskedAgainWithoutItAndFromThenOnWithout() throws Exception {
        FindPeer peer = new FindPeer(0xA900);
        try (DicomListener listener = start(peer)) {
            DicomClient client = Dicom.client("MIGRATOR", DicomTimeouts.defaults());
            assertThat(find(client, listener).success()).isTrue();
            assertThat(peer.askedUtf8).containsExactly(true, false);
            assertThat(find(client, listener).success()).isTrue();
            assertThat(find(client.findSession(new DicomNode("FINDPEER", "127.0.0.1", listener.port())), listener).success())
                    .isTrue();
            assertThat(peer.askedUtf8).containsExactly(true, false, false, false);
        }
    }

    @Test
    void aPeerThatTakesTheRequestIsAlwaysAskedForUtf8() throws Exception {
        FindPeer peer = new FindPeer(0x0000);
        try (DicomListener listener = start(peer)) {
            DicomClient client = Dicom.client("MIGRATOR", DicomTimeouts.defaults());
            assertThat(find(client, listener).success()).isTrue();
            assertThat(find(client, listener).success()).isTrue();
            assertThat(peer.askedUtf8).containsExactly(true, true);
        }
    }

    @Test
    void aPeerFailingEitherWayIsNotMarkedAndItsFailureIsReturned() throws Exception {
        FindPeer peer = new FindPeer(0xC001) {
            @Override
            public Request open(Peer p, CommandSet command, String transferSyntax) {
                Request inner = super.open(p, command, transferSyntax);
                return new Request() {
                    @Override
                    public void data(byte[] buffer, int offset, int length) throws IOException {
                        inner.data(buffer, offset, length);
                    }

                    @Override
                    public CommandSet complete() throws IOException {
                        inner.complete();
                        return command.response(0xC001);
                    }

                    @Override
                    public void abandon() {
                    }
                };
            }
        };
        try (DicomListener listener = start(peer)) {
            DicomClient client = Dicom.client("MIGRATOR", DicomTimeouts.defaults());
            assertThat(find(client, listener).finalStatus()).isEqualTo(0xC001);
            assertThat(find(client, listener).finalStatus()).isEqualTo(0xC001);
            assertThat(peer.askedUtf8).containsExactly(true, false, true, false);
        }
    }

    private static FindOutcome find(DicomClient.FindSession session, DicomListener listener) throws DicomException {
        try (session) {
            return session.find(QueryLevel.STUDY, DicomDataset.of(Map.of("StudyDate", "20240105")), m -> { });
        }
    }
}
