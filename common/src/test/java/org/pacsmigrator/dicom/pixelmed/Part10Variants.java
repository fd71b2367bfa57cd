package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Variants of a Part 10 test file: read whole with PixelMed, changed, written again with a new meta header. */
final class Part10Variants {
    interface ListChange {
        void apply(AttributeList list) throws Exception;
    }

    private Part10Variants() {
    }

    /** Writes {@code in} changed by {@code change} in {@code transferSyntax} to a new file in {@code dir}. */
    static Path rewrite(Path in, String transferSyntax, ListChange change, Path dir) throws Exception {
        AttributeList list = new AttributeList();
        list.read(in.toString());
        change.apply(list);
        list.removeMetaInformationHeaderAttributes();
        FileMetaInformation.addFileMetaInformation(list, transferSyntax, "TEST");
        Path out = dir.resolve("variant-" + System.nanoTime() + ".dcm");
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out))) {
            list.write(os, transferSyntax, true, true);
        }
        return out;
    }
}
