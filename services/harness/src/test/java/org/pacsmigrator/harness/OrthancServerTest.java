package org.pacsmigrator.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrthancServerTest {
    @TempDir
    Path dir;

    @Test
    void aPortTakenBeforeOrthancBoundItMeansAStartOnOtherPortsAndPeersCanBeAddedLater() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(0)); // every interface, as Orthanc binds
            AtomicInteger calls = new AtomicInteger();
            try (OrthancServer pacs = OrthancServer.start("PORTPACS", dir, 0, 0, Map.of(), Map.of(),
                    () -> calls.getAndIncrement() == 0 ? taken.getLocalPort() : Ports.freePort())) {
                assertThat(pacs.dicomPort()).isNotEqualTo(taken.getLocalPort());
                assertThat(Files.readString(dir.resolve("orthanc.log"))).as("the first attempt failed on the taken port")
                        .contains("(port = " + taken.getLocalPort() + ")").contains("already in use");
                assertThat(pacs.get("/system").path("DicomAet").asText()).isEqualTo("PORTPACS");

                pacs.addModality("PEER", new OrthancServer.Modality("PEERAE", "127.0.0.1", 4242));
                assertThat(pacs.get("/modalities?expand").path("PEER").path("Port").asInt()).isEqualTo(4242);
                pacs.stop();
                pacs.start(); // same ports, and the peer is in its configuration now
                assertThat(pacs.get("/modalities?expand").path("PEER").path("AET").asText()).isEqualTo("PEERAE");

                assertThat(FileModes.of(dir)).isEqualTo("rwx------");
                assertThat(FileModes.notOwnerOnly(dir)).as("files and directories others may read or enter").isEmpty();
            }
        }
    }
}
