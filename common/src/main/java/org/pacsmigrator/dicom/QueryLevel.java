package org.pacsmigrator.dicom;

/** Query/Retrieve level of the Study Root information model. */
public enum QueryLevel {
    STUDY, SERIES, IMAGE
}
