package org.pacsmigrator.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A DICOM peer written byte by byte for tests of our listeners: it can associate and C-STORE like a
 * well-behaved SCU, and it can also say what no toolkit would let it say (a command that names another
 * instance than its data set, a data set cut short, absurd PDU lengths, endless command fragments).
 */
public final class RawDicomPeer implements AutoCloseable {
    public static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    public static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    public static final String VERIFICATION = "1.2.840.10008.1.1";

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawDicomPeer(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** A TCP connection, nothing sent yet. */
    public static RawDicomPeer connect(String host, int port, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), timeoutMillis);
        s.setSoTimeout(timeoutMillis);
        s.setTcpNoDelay(true);
        return new RawDicomPeer(s);
    }

    /** The answer to an A-ASSOCIATE-RQ: the PDU type (2 accept, 3 reject, 7 abort) and, for a reject, its fields. */
    public record Answer(int pduType, int result, int source, int reason) {
        public boolean accepted() {
            return pduType == 2;
        }
    }

    /** Sends an A-ASSOCIATE-RQ with one presentation context (id 1) and reads the answer. */
    public Answer associate(String calling, String called, String abstractSyntax, String transferSyntax)
            throws IOException {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        item(items, 0x10, ascii("1.2.840.10008.3.1.1.1"));
        ByteArrayOutputStream pc = new ByteArrayOutputStream();
        pc.write(1);
        pc.write(new byte[3]);
        item(pc, 0x30, ascii(abstractSyntax));
        item(pc, 0x40, ascii(transferSyntax));
        item(items, 0x20, pc.toByteArray());
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        item(user, 0x51, ByteBuffer.allocate(4).putInt(16384).array());
        item(user, 0x52, ascii("1.2.3.4"));
        item(items, 0x50, user.toByteArray());
        ByteBuffer head = ByteBuffer.allocate(68);
        head.putShort((short) 1).putShort((short) 0).put(ae(called)).put(ae(calling));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(head.array());
        body.writeBytes(items.toByteArray());
        sendPdu(1, body.toByteArray());
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        int length = in.readInt();
        byte[] rest = in.readNBytes(length);
        if (type == 3 && rest.length >= 4) {
            return new Answer(type, rest[1] & 0xff, rest[2] & 0xff, rest[3] & 0xff);
        }
        return new Answer(type, 0, 0, 0);
    }

    /** A C-STORE-RQ on context 1 naming {@code sopClass}/{@code sopInstance}, then {@code dataSet}; returns the status. */
    public int store(String sopClass, String sopInstance, byte[] dataSet) throws IOException {
        ByteArrayOutputStream cmd = new ByteArrayOutputStream();
        element(cmd, 0x0002, uid(sopClass));
        element(cmd, 0x0100, us(0x0001));
        element(cmd, 0x0110, us(7));
        element(cmd, 0x0700, us(0));
        element(cmd, 0x0800, us(0x0000));
        element(cmd, 0x1000, uid(sopInstance));
        sendPdv(true, true, withGroupLength(cmd.toByteArray()));
        int offset = 0;
        int chunk = 16000;
        do {
            int n = Math.min(chunk, dataSet.length - offset);
            sendPdv(false, offset + n == dataSet.length, Arrays.copyOfRange(dataSet, offset, offset + n));
            offset += n;
        } while (offset < dataSet.length);
        return readStatus();
    }

    /** A C-ECHO-RQ on context 1 (which must be Verification); returns the status. */
    public int echo() throws IOException {
        ByteArrayOutputStream cmd = new ByteArrayOutputStream();
        element(cmd, 0x0002, uid(VERIFICATION));
        element(cmd, 0x0100, us(0x0030));
        element(cmd, 0x0110, us(1));
        element(cmd, 0x0800, us(0x0101));
        sendPdv(true, true, withGroupLength(cmd.toByteArray()));
        return readStatus();
    }

    /** A-RELEASE-RQ, and waits for the A-RELEASE-RP. */
    public void release() throws IOException {
        sendPdu(5, new byte[4]);
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        in.readNBytes(in.readInt());
        if (type != 6) {
            throw new IOException("expected A-RELEASE-RP, got PDU type " + type);
        }
    }

    /** One PDU header announcing {@code length} bytes, followed by only {@code sent} of them. */
    public void sendHeader(int type, long length, int sent) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(6);
        b.put((byte) type).put((byte) 0).putInt((int) length);
        out.write(b.array());
        out.write(new byte[sent]);
        out.flush();
    }

    /** Non-final command fragments until the peer closes or {@code maxBytes} went out; returns the bytes sent. */
    public long floodCommandFragments(long maxBytes) {
        byte[] value = new byte[16000];
        long sent = 0;
        try {
            while (sent < maxBytes) {
                sendPdv(true, false, value);
                sent += value.length;
            }
        } catch (IOException closed) {
            // the listener aborted: what we wanted
        }
        return sent;
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** True when the peer has closed the connection (reads to its end, within the socket timeout). */
    public boolean closedByPeer() {
        try {
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // drain an A-ABORT or whatever came
            }
            return true;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private int readStatus() throws IOException {
        ByteArrayOutputStream command = new ByteArrayOutputStream();
        while (true) {
            int type = in.readUnsignedByte();
            in.readUnsignedByte();
            int length = in.readInt();
            if (type != 4) {
                in.readNBytes(length);
                throw new EOFException("expected P-DATA-TF, got PDU type " + type);
            }
            int left = length;
            boolean last = false;
            while (left > 0) {
                int itemLength = in.readInt();
                in.readUnsignedByte();
                int control = in.readUnsignedByte();
                command.writeBytes(in.readNBytes(itemLength - 2));
                left -= 4 + itemLength;
                last = (control & 2) != 0;
            }
            if (last) {
                break;
            }
        }
        ByteBuffer b = ByteBuffer.wrap(command.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 8) {
            b.getShort();
            int element = Short.toUnsignedInt(b.getShort());
            int length = b.getInt();
            if (element == 0x0900) {
                return Short.toUnsignedInt(b.getShort());
            }
            b.position(b.position() + length);
        }
        throw new IOException("response without status");
    }

    private void sendPdv(boolean command, boolean last, byte[] value) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12 + value.length);
        b.put((byte) 4).put((byte) 0).putInt(value.length + 6);
        b.putInt(value.length + 2).put((byte) 1).put((byte) ((command ? 1 : 0) | (last ? 2 : 0))).put(value);
        out.write(b.array());
        out.flush();
    }

    private void sendPdu(int type, byte[] body) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(6 + body.length);
        b.put((byte) type).put((byte) 0).putInt(body.length).put(body);
        out.write(b.array());
        out.flush();
    }

    private static byte[] withGroupLength(byte[] elements) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        element(all, 0x0000, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(elements.length).array());
        all.writeBytes(elements);
        return all.toByteArray();
    }

    private static void element(ByteArrayOutputStream out, int element, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0).putShort((short) element).putInt(value.length);
        out.writeBytes(b.array());
        out.writeBytes(value);
    }

    private static byte[] us(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8)};
    }

    private static byte[] uid(String uid) {
        byte[] b = ascii(uid);
        return (b.length & 1) == 0 ? b : Arrays.copyOf(b, b.length + 1);
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] ae(String ae) {
        byte[] field = new byte[16];
        Arrays.fill(field, (byte) ' ');
        byte[] b = ascii(ae);
        System.arraycopy(b, 0, field, 0, Math.min(16, b.length));
        return field;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The data set of a Part 10 file: the bytes after its File Meta Information group. */
    public static byte[] dataSetOf(byte[] partTen) {
        ByteBuffer b = ByteBuffer.wrap(partTen).order(ByteOrder.LITTLE_ENDIAN);
        b.position(132);
        // (0002,0000) UL group length comes first: tag 4, VR 2, length 2, value 4
        b.position(b.position() + 8);
        int groupLength = b.getInt();
        return Arrays.copyOfRange(partTen, b.position() + groupLength, partTen.length);
    }
}
