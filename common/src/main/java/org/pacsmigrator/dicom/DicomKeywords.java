package org.pacsmigrator.dicom;

import java.util.HexFormat;
import org.pacsmigrator.dicom.pixelmed.PixelMedDictionary;

/**
 * Attribute keywords and their tags, as {@link DicomDataset} names attributes: the same dictionary names a C-FIND
 * match, so a data set built from another encoding (DICOM JSON, which names attributes by tag) has the same keys.
 */
public final class DicomKeywords {
    private DicomKeywords() {
    }

    /** The tag as eight upper-case hex digits ("0020000D"), null when the keyword is unknown. */
    public static String tagOf(String keyword) {
        int tag = PixelMedDictionary.tagOf(keyword);
        return tag == -1 ? null : HexFormat.of().withUpperCase().toHexDigits(tag);
    }

    /**
     * The keyword of a tag given as eight hex digits; a tag the dictionary does not know (private, retired
     * unknown) keeps the name a C-FIND match gives it: "(0xgggg,0xeeee)".
     */
    public static String keywordOf(String tagHex) {
        int tag = HexFormat.fromHexDigits(tagHex);
        String keyword = PixelMedDictionary.keywordOf(tag);
        return keyword != null ? keyword : String.format("(0x%04x,0x%04x)", tag >>> 16, tag & 0xFFFF);
    }
}
