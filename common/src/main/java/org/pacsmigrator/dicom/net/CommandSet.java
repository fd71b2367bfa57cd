package org.pacsmigrator.dicom.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DIMSE command set (group 0000, always implicit VR little endian, PS3.7 section 9.3): decoded from
 * a bounded byte array and encoded for responses. Only the elements our services read or answer exist
 * here, so this needs no dictionary.
 */
public final class CommandSet {
    public static final int AFFECTED_SOP_CLASS_UID = 0x0000_0002;
    public static final int REQUESTED_SOP_CLASS_UID = 0x0000_0003;
    public static final int COMMAND_FIELD = 0x0000_0100;
    public static final int MESSAGE_ID = 0x0000_0110;
    public static final int MESSAGE_ID_BEING_RESPONDED_TO = 0x0000_0120;
    public static final int MOVE_ORIGINATOR_AE_TITLE = 0x0000_1030;
    public static final int MOVE_ORIGINATOR_MESSAGE_ID = 0x0000_1031;
    public static final int COMMAND_DATA_SET_TYPE = 0x0000_0800;
    public static final int STATUS = 0x0000_0900;
    public static final int AFFECTED_SOP_INSTANCE_UID = 0x0000_1000;
    public static final int REQUESTED_SOP_INSTANCE_UID = 0x0000_1001;
    public static final int EVENT_TYPE_ID = 0x0000_1002;
    public static final int ERROR_COMMENT = 0x0000_0902;

    public static final int C_STORE_RQ = 0x0001;
    public static final int C_ECHO_RQ = 0x0030;
    public static final int N_EVENT_REPORT_RQ = 0x0100;
    public static final int RESPONSE_BIT = 0x8000;
    /** CommandDataSetType: no data set follows. */
    public static final int NO_DATA_SET = 0x0101;

    private final Map<Integer, byte[]> elements;

    private CommandSet(Map<Integer, byte[]> elements) {
        this.elements = elements;
    }

    public static CommandSet empty() {
        return new CommandSet(new TreeMap<>(Integer::compareUnsigned));
    }

    /**
     * Decodes a command set. Every element length is checked against the bytes present (a peer's length
     * never sizes an allocation beyond what it actually sent); elements outside group 0000 are refused.
     */
    public static CommandSet decode(byte[] bytes, int length) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        CommandSet command = empty();
        while (in.remaining() > 0) {
            if (in.remaining() < 8) {
                throw new ProtocolException("command set: " + in.remaining() + " trailing bytes");
            }
            int group = Short.toUnsignedInt(in.getShort());
            int element = Short.toUnsignedInt(in.getShort());
            long valueLength = Integer.toUnsignedLong(in.getInt());
            if (group != 0) {
                throw new ProtocolException(String.format("command set: element (%04X,%04X) outside group 0000", group, element));
            }
            if (valueLength > in.remaining()) {
                throw new ProtocolException(String.format("command set: (0000,%04X) announces %d bytes, %d left",
                        element, valueLength, in.remaining()));
            }
            byte[] value = new byte[(int) valueLength];
            in.get(value);
            command.elements.put(element, value);
        }
        return command;
    }

    public boolean has(int tag) {
        return elements.containsKey(tag & 0xffff);
    }

    /** An unsigned short (US) value, or {@code otherwise} when absent or malformed. */
    public int us(int tag, int otherwise) {
        byte[] v = elements.get(tag & 0xffff);
        if (v == null || v.length < 2) {
            return otherwise;
        }
        return (v[0] & 0xff) | (v[1] & 0xff) << 8;
    }

    /** A UI or AE value without padding (NUL or space), "" when absent. */
    public String string(int tag) {
        byte[] v = elements.get(tag & 0xffff);
        return v == null ? "" : unpadded(v);
    }

    /** A text value as ASCII/Latin-1, without its NUL or space padding and leading spaces. */
    static String unpadded(byte[] v) {
        int end = v.length;
        while (end > 0 && (v[end - 1] == 0 || v[end - 1] == ' ')) {
            end--;
        }
        int start = 0;
        while (start < end && v[start] == ' ') {
            start++;
        }
        return new String(v, start, end - start, StandardCharsets.ISO_8859_1);
    }

    public int commandField() {
        return us(COMMAND_FIELD, -1);
    }

    public int messageId() {
        return us(MESSAGE_ID, 0);
    }

    public boolean hasDataSet() {
        return us(COMMAND_DATA_SET_TYPE, NO_DATA_SET) != NO_DATA_SET;
    }

    public CommandSet putUs(int tag, int value) {
        elements.put(tag & 0xffff, new byte[] {(byte) value, (byte) (value >> 8)});
        return this;
    }

    /** A UID (padded with NUL to even length) or AE title / text (padded with space). */
    public CommandSet putString(int tag, String value, boolean uid) {
        byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
        if ((b.length & 1) == 1) {
            byte[] padded = new byte[b.length + 1];
            System.arraycopy(b, 0, padded, 0, b.length);
            padded[b.length] = uid ? 0 : (byte) ' ';
            b = padded;
        }
        elements.put(tag & 0xffff, b);
        return this;
    }

    /** Encodes the command with its group length (0000,0000) first. */
    public byte[] encode() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<Integer, byte[]> e : elements.entrySet()) {
            if (e.getKey() == 0) {
                continue;
            }
            writeElement(body, e.getKey(), e.getValue());
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream(body.size() + 12);
        ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(body.size());
        writeElement(all, 0, length.array());
        all.writeBytes(body.toByteArray());
        return all.toByteArray();
    }

    private static void writeElement(ByteArrayOutputStream out, int element, byte[] value) {
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        header.putShort((short) 0).putShort((short) element).putInt(value.length);
        out.writeBytes(header.array());
        out.writeBytes(value);
    }

    /** The response to this request: command field with the response bit, message ID echoed, the status. */
    public CommandSet response(int status) {
        CommandSet rsp = empty();
        String sopClass = string(AFFECTED_SOP_CLASS_UID);
        if (!sopClass.isEmpty()) {
            rsp.putString(AFFECTED_SOP_CLASS_UID, sopClass, true);
        }
        rsp.putUs(COMMAND_FIELD, commandField() | RESPONSE_BIT);
        rsp.putUs(MESSAGE_ID_BEING_RESPONDED_TO, messageId());
        rsp.putUs(COMMAND_DATA_SET_TYPE, NO_DATA_SET);
        rsp.putUs(STATUS, status);
        String sopInstance = string(AFFECTED_SOP_INSTANCE_UID);
        if (!sopInstance.isEmpty()) {
            rsp.putString(AFFECTED_SOP_INSTANCE_UID, sopInstance, true);
        }
        return rsp;
    }
}
