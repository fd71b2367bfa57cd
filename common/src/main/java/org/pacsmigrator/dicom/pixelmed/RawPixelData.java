package org.pacsmigrator.dicom.pixelmed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Where a file's pixel data element starts, when its bytes can be copied unchanged after a
 * rewritten header: a little endian transfer syntax, a defined length, and nothing after it
 * (so no rule could have wanted to touch a later element, and a nested Pixel Data of an icon
 * sequence is never mistaken for the image's).
 */
final class RawPixelData {
    private static final String IMPLICIT_LITTLE = "1.2.840.10008.1.2";
    private static final String EXPLICIT_LITTLE = "1.2.840.10008.1.2.1";
    private static final Set<String> COPYABLE = Set.of(IMPLICIT_LITTLE, EXPLICIT_LITTLE);
    private static final int UNDEFINED_LENGTH = 0xFFFFFFFF;

    private RawPixelData() {
    }

    /**
     * @param afterTag the offset PixelMed's read stopped at (just past the Pixel Data tag)
     * @return the offset of the Pixel Data element's tag, or -1 when the bytes cannot be copied
     */
    static long startIfLast(Path file, long afterTag, String transferSyntax) throws IOException {
        if (!COPYABLE.contains(transferSyntax) || afterTag < 4) {
            return -1;
        }
        long start = afterTag - 4;
        boolean explicit = EXPLICIT_LITTLE.equals(transferSyntax);
        ByteBuffer head = ByteBuffer.allocate(explicit ? 12 : 8).order(ByteOrder.LITTLE_ENDIAN);
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            while (head.hasRemaining()) {
                if (ch.read(head, start + head.position()) < 0) {
                    return -1;
                }
            }
        }
        head.flip();
        if (head.getShort(0) != (short) 0x7FE0 || head.getShort(2) != (short) 0x0010) {
            return -1;
        }
        int length;
        int headerLength;
        if (explicit) {
            String vr = new String(new byte[] {head.get(4), head.get(5)}, StandardCharsets.US_ASCII);
            if (!vr.equals("OW") && !vr.equals("OB")) {
                return -1;
            }
            length = head.getInt(8);
            headerLength = 12;
        } else {
            length = head.getInt(4);
            headerLength = 8;
        }
        if (length == UNDEFINED_LENGTH) {
            return -1; // encapsulated frames: parsed whole
        }
        return start + headerLength + Integer.toUnsignedLong(length) == size ? start : -1;
    }
}
