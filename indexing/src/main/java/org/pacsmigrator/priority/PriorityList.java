package org.pacsmigrator.priority;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The priority list file ({@code priority.listFile}): one patient a line, {@code patient,<PatientID>} or
 * {@code accession,<AccessionNumber>}; a line of one field is a PatientID; blank lines and lines starting with
 * {@code #} are skipped, as is a header line {@code type,value}.
 */
public final class PriorityList {
    private PriorityList() {
    }

    public static List<PriorityRequest> read(Path file, String source) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), source);
    }

    /** @throws IllegalArgumentException naming the line that is neither a patient nor an accession number */
    public static List<PriorityRequest> parse(List<String> lines, String source) {
        List<PriorityRequest> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.equalsIgnoreCase("type,value")) {
                continue;
            }
            int comma = line.indexOf(',');
            try {
                out.add(comma < 0 ? PriorityRequest.patient(line, source)
                        : new PriorityRequest(PriorityRequest.Key.parse(line.substring(0, comma)),
                                line.substring(comma + 1), source));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
