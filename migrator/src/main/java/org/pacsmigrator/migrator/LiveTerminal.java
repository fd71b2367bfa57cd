package org.pacsmigrator.migrator;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.List;

/**
 * A block of lines kept at the bottom of an interactive terminal and redrawn in place (ANSI escapes), while whatever
 * else the process prints (its own messages, log lines, errors) scrolls by above it: every other stream to the
 * terminal goes through {@link #passthrough}, which erases the block, writes its complete lines and draws the block
 * again. Lines wider than the terminal are cut by it (auto-wrap off while drawing), so the block's height stays known.
 */
final class LiveTerminal {
    private static final String WRAP_OFF = "\033[?7l";
    private static final String WRAP_ON = "\033[?7h";
    private static final String ERASE_TO_END = "\033[J";
    /** A partial line this long is written out even without its newline. */
    private static final int MAX_PENDING = 8192;

    private final PrintStream terminal;
    private List<String> block = List.of();
    private int drawn;

    LiveTerminal(PrintStream terminal) {
        this.terminal = terminal;
    }

    /** Replaces the block with {@code lines} (not redrawn when they are the same). */
    synchronized void show(List<String> lines) {
        if (drawn > 0 && lines.equals(block)) {
            return;
        }
        erase();
        block = List.copyOf(lines);
        draw();
        terminal.flush();
    }

    /** The block stays on screen as it last was and is no longer redrawn: what follows is printed below it. */
    synchronized void release() {
        block = List.of();
        drawn = 0;
    }

    /** A stream to {@code target} (this terminal's stdout or stderr) whose lines appear above the block. */
    PrintStream passthrough(PrintStream target) {
        return new PrintStream(new Above(target), true, Charset.defaultCharset());
    }

    private void erase() {
        if (drawn > 0) {
            terminal.print("\r\033[" + drawn + "A" + ERASE_TO_END);
        }
        drawn = 0;
    }

    private void draw() {
        if (block.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder(WRAP_OFF);
        block.forEach(line -> b.append(line).append('\n'));
        terminal.print(b.append(WRAP_ON));
        drawn = block.size();
    }

    /** Holds a partial line until its newline, so that the block is never drawn in the middle of someone's line. */
    private final class Above extends OutputStream {
        private final PrintStream target;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        Above(PrintStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            synchronized (LiveTerminal.this) {
                pending.write(bytes, offset, length);
                byte[] all = pending.toByteArray();
                int end = lastNewline(all) + 1;
                if (end == 0 && all.length < MAX_PENDING) {
                    return;
                }
                int complete = end == 0 ? all.length : end;
                erase();
                target.write(all, 0, complete);
                target.flush();
                pending.reset();
                pending.write(all, complete, all.length - complete);
                draw();
                terminal.flush();
            }
        }

        @Override
        public void close() {
            synchronized (LiveTerminal.this) {
                if (pending.size() > 0) {
                    erase();
                    target.write(pending.toByteArray(), 0, pending.size());
                    target.flush();
                    pending.reset();
                    draw();
                }
            }
        }

        private static int lastNewline(byte[] bytes) {
            for (int i = bytes.length - 1; i >= 0; i--) {
                if (bytes[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }
    }
}
