package org.pacsmigrator.dicom;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * C-STOREs batches of Part 10 files into one PACS (an association per batch) and keeps the tally, so that a
 * data set sent in many batches (e.g. one study at a time) succeeds or fails as a whole at the end.
 */
public final class DicomUpload {
    private final DicomClient client;
    private final DicomNode pacs;
    private final List<String> failures = new ArrayList<>();
    private int stored;

    public DicomUpload(DicomClient client, DicomNode pacs) {
        this.client = client;
        this.pacs = pacs;
    }

    /** Sends one batch; a refused instance is counted, not thrown, so that the other batches are still sent. */
    public void store(List<Path> files) throws DicomException {
        client.store(pacs, files, (file, uid, status, detail) -> {
            if (status == 0 || (status & 0xF000) == 0xB000) {
                stored++;
            } else {
                failures.add(uid + " status 0x" + Integer.toHexString(status) + (detail == null ? "" : " " + detail));
            }
        });
    }

    /** The number of instances stored (with success or a warning); throws if any instance was not. */
    public int storedOrThrow() throws DicomException {
        if (!failures.isEmpty()) {
            throw new DicomException(DicomException.Category.FAILURE_STATUS, failures.size() + " instances not stored to "
                    + pacs + ", first: " + failures.get(0));
        }
        return stored;
    }
}
