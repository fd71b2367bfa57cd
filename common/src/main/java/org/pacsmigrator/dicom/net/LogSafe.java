package org.pacsmigrator.dicom.net;

/**
 * Text received from the network made safe for a log line: control and non-ASCII characters escaped, length
 * bounded, so a peer can neither forge log lines nor flood them.
 */
public final class LogSafe {
    private static final int MAX = 80;

    private LogSafe() {
    }

    public static String text(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 8);
        for (int i = 0; i < s.length(); i++) {
            if (b.length() >= MAX) {
                return b.append("...(").append(s.length()).append(" chars)").toString();
            }
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                b.append(c);
            } else {
                b.append(c > 0xff ? String.format("\\u%04x", (int) c) : String.format("\\x%02x", (int) c));
            }
        }
        return b.toString();
    }
}
