package org.pacsmigrator.dicom;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.pacsmigrator.dicom.pixelmed.PixelMedFiles;

/** Reading Part 10 files without exposing the toolkit. */
public final class DicomFiles {
    private DicomFiles() {
    }

    /** Reads the identifying attributes; stops before the pixel data. */
    public static DicomFileInfo readInfo(Path file) throws IOException {
        return PixelMedFiles.readInfo(file);
    }

    /**
     * Reads the whole data set as keyword to string values (without pixel data), for tests and
     * validation. Use sparingly: it parses the file.
     */
    public static DicomDataset readAttributes(Path file) throws IOException {
        return PixelMedFiles.readAttributes(file);
    }

    /** Reads groups 0008 and 0010 (SOP common, study identification, patient) only: cheap next to {@link #readAttributes}. */
    public static DicomDataset readPatientAttributes(Path file) throws IOException {
        return PixelMedFiles.readPatientAttributes(file);
    }

    /**
     * Applies {@code edit} to the data set of {@code in} and writes the result to {@code out} in
     * the same transfer syntax (compressed pixel data is carried over without decoding). Returns the
     * changes made; when there are none, {@code out} is not written. Loads one instance into memory.
     */
    public static List<EditableDataset.Change> edit(Path in, Path out, DatasetEdit edit) throws Exception {
        return PixelMedFiles.edit(in, out, edit, false).changes();
    }

    /**
     * {@link #edit}, reading {@code in} once and hashing it on the way (to its end), and hashing {@code out}
     * as it is written. With {@code hashUnchanged} false and no change, only the header of {@code in} is
     * read and its hash is not computed.
     */
    public static EditResult editHashing(Path in, Path out, DatasetEdit edit, boolean hashUnchanged) throws Exception {
        return PixelMedFiles.edit(in, out, edit, hashUnchanged);
    }

    /**
     * Rewrites {@code in} into {@code out} in another uncompressed transfer syntax (explicit or
     * implicit VR little endian, explicit VR big endian). Compressed sources are refused: no codec
     * is shipped, and a lossy round trip must never happen silently.
     */
    public static void transcode(Path in, Path out, String targetTransferSyntaxUid) throws IOException {
        PixelMedFiles.transcode(in, out, targetTransferSyntaxUid);
    }

    /** True when the toolkit's data dictionary knows this attribute keyword (e.g. "PatientID"). */
    public static boolean isKnownKeyword(String keyword) {
        return PixelMedFiles.isKnownKeyword(keyword);
    }

    /** SHA-256 (hex) of the pixel data value bytes, to compare images across systems. */
    public static String pixelDataSha256(Path file) throws IOException {
        return PixelMedFiles.pixelDataSha256(file);
    }
}
