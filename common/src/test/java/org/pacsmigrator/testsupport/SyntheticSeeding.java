package org.pacsmigrator.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomUpload;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;

/** Seeds a PACS with a synthetic data set: the generator writes the files, {@link DicomUpload} C-STOREs them. */
public final class SyntheticSeeding {
    private SyntheticSeeding() {
    }

    /**
     * C-STOREs every study of {@code generator}, one study at a time through {@code scratch}. Returns the number
     * of instances stored; throws if any instance was not.
     */
    public static int sendTo(SyntheticPacsGenerator generator, DicomClient client, DicomNode pacs, Path scratch)
            throws IOException, DicomException {
        DicomUpload upload = new DicomUpload(client, pacs);
        generator.forEachStudyFiles(scratch, (study, files) -> upload.store(files));
        return upload.storedOrThrow();
    }
}
