package org.pacsmigrator.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.SOPClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator.GeneratedStudy;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.testsupport.Commands;

/**
 * C-STORE to a PACS that negotiates only some of what it is offered (DCMTK's storescp with an
 * association profile): every image that cannot be sent says why, and a refused SOP class is told
 * apart from a refused transfer syntax (the operator's remedy differs: configure the new PACS, or
 * allow a conversion).
 */
class PixelMedStoreNegotiationTest {
    private static final SyntheticPacsGenerator GENERATOR =
            new SyntheticPacsGenerator(7, 3, LocalDate.of(2024, 5, 2), 1, 1, 2, 1);

    @Test
    void notSentImagesSayWhetherTheSopClassOrTheTransferSyntaxWasRefused(@TempDir Path dir) throws Exception {
        GeneratedStudy study = GENERATOR.plan().filter(s -> s.index() == 2).findFirst().orElseThrow(); // has a Secondary Capture
        List<Path> files = GENERATOR.writeStudy(study, dir.resolve("study"));
        Path image = files.stream().filter(f -> !sopClass(f).equals(SOPClass.SecondaryCaptureImageStorage)).findFirst()
                .orElseThrow();
        Path secondaryCapture = files.stream().filter(f -> sopClass(f).equals(SOPClass.SecondaryCaptureImageStorage))
                .findFirst().orElseThrow();
        Path jpegLs = dir.resolve("jpegls.dcm");
        Commands.run("dcmcjpls", image.toString(), jpegLs.toString());
        Commands.run("dcmodify", "-nb", "-gin", jpegLs.toString());
        Path unreadable = Files.writeString(dir.resolve("unreadable.dcm"), "not DICOM");
        String imageClass = sopClass(image).equals(SOPClass.CTImageStorage) ? "CTImageStorage" : "MRImageStorage";

        int port = Ports.freePort();
        Path profile = Files.writeString(dir.resolve("profile.cfg"), """
                [[TransferSyntaxes]]
                [Uncompressed]
                TransferSyntax1 = LocalEndianExplicit
                TransferSyntax2 = LittleEndianImplicit

                [[PresentationContexts]]
                [OneClass]
                PresentationContext1 = VerificationSOPClass\\Uncompressed
                PresentationContext2 = %s\\Uncompressed

                [[Profiles]]
                [Default]
                PresentationContexts = OneClass
                """.formatted(imageClass));
        Path received = Files.createDirectories(dir.resolve("received"));
        ProcessBuilder pb = new ProcessBuilder("storescp", "-aet", "ONECLASS", "-xf", profile.toString(), "Default",
                "-od", received.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(dir.resolve("storescp.log").toFile());
        pb.environment().put("TCP_NODELAY", "1");
        Process storescp = pb.start();
        try {
            Ports.awaitOpen("storescp", "127.0.0.1", port, storescp, Duration.ofSeconds(10));
            Map<Path, Integer> statuses = new ConcurrentHashMap<>();
            Map<Path, String> details = new ConcurrentHashMap<>();
            DicomClient client = Dicom.client("MIGRATOR", new DicomTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30)));
            StoreListener listener = (file, uid, status, detail) -> {
                statuses.put(file, status);
                if (detail != null) {
                    details.put(file, detail);
                }
            };
            DicomNode pacs = new DicomNode("ONECLASS", "127.0.0.1", port);
            // The compressed image first without an uncompressed one of its class: only the probe context tells.
            client.store(pacs, List.of(jpegLs, secondaryCapture, unreadable), listener);
            client.store(pacs, List.of(image), listener);

            assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(
                    image, 0,
                    jpegLs, StoreListener.TRANSFER_SYNTAX_NOT_NEGOTIATED,
                    secondaryCapture, StoreListener.SOP_CLASS_NOT_NEGOTIATED,
                    unreadable, StoreListener.UNREADABLE));
            assertThat(details.get(jpegLs)).contains("transfer syntax 1.2.840.10008.1.2.4.80");
            assertThat(details.get(secondaryCapture)).contains("SOP class " + SOPClass.SecondaryCaptureImageStorage);
            try (var stored = Files.list(received)) {
                assertThat(stored.count()).as("only the image in a negotiated context arrives").isEqualTo(1);
            }
        } finally {
            storescp.destroy();
            storescp.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String sopClass(Path file) {
        try {
            return DicomFiles.readInfo(file).sopClassUid();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
