package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;

/** Keyword and tag lookups in the toolkit's data dictionary (the one C-FIND matches are named by). */
public final class PixelMedDictionary {
    private static final DicomDictionary DICTIONARY = AttributeList.getDictionary();

    private PixelMedDictionary() {
    }

    /** The tag as group and element in one int, -1 when the keyword is unknown. */
    public static int tagOf(String keyword) {
        AttributeTag tag = DICTIONARY.getTagFromName(keyword);
        return tag == null ? -1 : (tag.getGroup() << 16) | tag.getElement();
    }

    /** The keyword, null when the tag is not in the dictionary. */
    public static String keywordOf(int tag) {
        return DICTIONARY.getNameFromTag(new AttributeTag(tag >>> 16, tag & 0xFFFF));
    }
}
