package org.pacsmigrator.dicom;

import java.io.IOException;
import java.nio.file.Path;

/** Reading Part 10 files without exposing the toolkit. */
public final class DicomFiles {
    private DicomFiles() {
    }

    /** Reads the identifying attributes; stops before the pixel data. */
    public static DicomFileInfo readInfo(Path file) throws IOException {
        return org.pacsmigrator.dicom.pixelmed.PixelMedFiles.readInfo(file);
    }

    /**
     * Reads the whole data set as keyword to string values (without pixel data), for tests and
     * validation. Use sparingly: it parses the file.
     */
    public static DicomDataset readAttributes(Path file) throws IOException {
        return org.pacsmigrator.dicom.pixelmed.PixelMedFiles.readAttributes(file);
    }

    /** SHA-256 (hex) of the pixel data value bytes, to compare images across systems. */
    public static String pixelDataSha256(Path file) throws IOException {
        return org.pacsmigrator.dicom.pixelmed.PixelMedFiles.pixelDataSha256(file);
    }
}
