package org.pacsmigrator.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The worklist database of an Orthanc that plays a RIS: its ModalityWorklists plugin answers Modality Worklist
 * C-FINDs from the {@code .wl} files of this folder, which {@link #schedule} writes with DCMTK's {@code dump2dcm}.
 * The shared default Orthancs have no plugin; an Orthanc started with {@link #orthancConfig()} has it.
 */
public final class WorklistFolder {
    private static final Path PLUGIN = Path.of("/usr/share/orthanc/plugins/libModalityWorklists.so");

    private final Path folder;

    public WorklistFolder(Path folder) {
        try {
            this.folder = ChildJvm.privateDirectory(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path folder() {
        return folder;
    }

    /** The extra Orthanc configuration that loads the plugin on this folder. */
    public Map<String, Object> orthancConfig() {
        return Map.of("Plugins", List.of(PLUGIN.toString()),
                "Worklists", Map.of("Enable", true, "Database", folder.toAbsolutePath().toString()));
    }

    /** Writes a scheduled procedure step of a patient on {@code day} ({@code name}.wl). */
    public Path schedule(String name, String patientId, String patientName, String accessionNumber, LocalDate day) {
        String dump = String.join("\n",
                "(0008,0005) CS [ISO_IR 100]",
                "(0008,0050) SH [" + accessionNumber + "]",
                "(0010,0010) PN [" + patientName + "]",
                "(0010,0020) LO [" + patientId + "]",
                "(0020,000d) UI [1.2.826.0.1.3680043.10.1337." + Math.abs(name.hashCode()) + "]",
                "(0040,0100) SQ (Sequence with undefined length)",
                "  (fffe,e000) na (Item with undefined length)",
                "    (0008,0060) CS [CT]",
                "    (0040,0001) AE [CT1]",
                "    (0040,0002) DA [" + day.format(DateTimeFormatter.BASIC_ISO_DATE) + "]",
                "    (0040,0003) TM [090000]",
                "    (0040,0009) SH [SPS-" + accessionNumber + "]",
                "  (fffe,e00d) na (ItemDelimitationItem)",
                "(fffe,e0dd) na (SequenceDelimitationItem)", "");
        try {
            Path text = Files.createTempFile(folder.getParent(), name, ".dump");
            Files.writeString(text, dump, StandardCharsets.ISO_8859_1);
            Path entry = folder.resolve(name + ".wl");
            Process p = new ProcessBuilder("dump2dcm", text.toString(), entry.toString())
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("dump2dcm failed: " + output);
            }
            Files.delete(text);
            return entry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
