package org.pacsmigrator.dicom;

/** An edit of one instance's attributes (e.g. a rule set), applied by {@link DicomFiles#edit}. */
@FunctionalInterface
public interface DatasetEdit {
    void apply(EditableDataset dataset) throws Exception;
}
