package org.pacsmigrator.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.pacsmigrator.harness.Ports;

/**
 * A new PACS that refuses SOP classes: DCMTK's {@code storescp} with an association profile that
 * accepts only Verification, CT Image Storage and MR Image Storage (uncompressed), so a Secondary
 * Capture image cannot be negotiated. Every received file is logged once per C-STORE
 * ({@code --exec-on-reception}), so duplicates can be counted. It has no C-FIND: migrations against
 * it use {@code verify.completion: sent}.
 */
final class DcmtkStoreScp implements Reconciliation.NewPacs, AutoCloseable {
    private final Path directory;
    private final int port;
    private final String aeTitle;
    private final Process process;

    DcmtkStoreScp(String aeTitle, Path directory) throws IOException {
        this.aeTitle = aeTitle;
        this.directory = Files.createDirectories(directory);
        Files.createDirectories(received());
        Path profile = Files.writeString(directory.resolve("profile.cfg"), """
                [[TransferSyntaxes]]
                [Uncompressed]
                TransferSyntax1 = LocalEndianExplicit
                TransferSyntax2 = OppositeEndianExplicit
                TransferSyntax3 = LittleEndianImplicit

                [[PresentationContexts]]
                [CtAndMrOnly]
                PresentationContext1 = VerificationSOPClass\\Uncompressed
                PresentationContext2 = CTImageStorage\\Uncompressed
                PresentationContext3 = MRImageStorage\\Uncompressed

                [[Profiles]]
                [Default]
                PresentationContexts = CtAndMrOnly
                """);
        port = Ports.freePort();
        ProcessBuilder pb = new ProcessBuilder("storescp", "--fork", "-aet", aeTitle, "-xf", profile.toString(), "Default",
                "-od", received().toString(), "-xcr", "echo #f >> " + storesLog(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(directory.resolve("storescp.log").toFile());
        pb.environment().put("TCP_NODELAY", "1");
        process = pb.start();
        Ports.awaitOpen("storescp", "127.0.0.1", port, process, Duration.ofSeconds(20));
    }

    int port() {
        return port;
    }

    String aeTitle() {
        return aeTitle;
    }

    private Path received() {
        return directory.resolve("received");
    }

    private Path storesLog() {
        return directory.resolve("stores.log").toAbsolutePath();
    }

    /** Files are named {@code <modality>.<SOP Instance UID>}. */
    @Override
    public List<String> storedSopInstanceUids() {
        try (Stream<Path> files = Files.list(received())) {
            return files.map(p -> p.getFileName().toString()).map(n -> n.substring(n.indexOf('.') + 1)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<String> receivedStores() {
        try {
            List<String> out = new ArrayList<>();
            if (Files.exists(storesLog())) {
                for (String line : Files.readAllLines(storesLog())) {
                    if (!line.isBlank()) {
                        out.add(line.strip().substring(line.strip().indexOf('.') + 1));
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
