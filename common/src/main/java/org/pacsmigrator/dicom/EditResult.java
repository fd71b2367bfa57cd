package org.pacsmigrator.dicom;

import java.util.List;

/**
 * What {@link DicomFiles#editHashing} did to a file, with the hashes computed on the way.
 *
 * @param changes      the changes made; empty when nothing was written
 * @param sourceSha256 SHA-256 (hex) of the whole source file; null when it was not needed (nothing changed
 *                     and the caller did not ask for it)
 * @param written      the file written and its header as sent; null when nothing changed
 * @param writtenSha256 SHA-256 (hex) of the written file; null when nothing changed
 */
public record EditResult(List<EditableDataset.Change> changes, String sourceSha256, OutgoingInstance written,
                         String writtenSha256) {
    public boolean changed() {
        return written != null;
    }
}
