package dev.isthmus.dns64;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * An upstream that answers from a table written as zone-file lines, and records what it was
 * asked ("name TYPE" per question, in order). A question not in the table gets no answer (null,
 * like a timeout).
 */
final class FakeUpstream implements Upstream {
    private final Map<String, Message> answers = new HashMap<>();
    final List<String> asked = Collections.synchronizedList(new ArrayList<>());

    /** The answer to "name TYPE": rcode, answer lines, then "--" and authority lines. */
    FakeUpstream on(String question, int rcode, String... records) {
        String[] q = question.split(" ");
        Message m = new Message();
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setRcode(rcode);
        m.addRecord(Record.newRecord(name(q[0]), Type.value(q[1]), DClass.IN), Section.QUESTION);
        int section = Section.ANSWER;
        for (String r : records) {
            if (r.equals("--")) {
                section = Section.AUTHORITY;
                continue;
            }
            m.addRecord(rr(r), section);
        }
        answers.put(key(q[0], Type.value(q[1])), m);
        return this;
    }

    /** Sets AD on the answer to {@code question} (as a validating upstream would). */
    FakeUpstream authenticated(String question) {
        String[] q = question.split(" ");
        answers.get(key(q[0], Type.value(q[1]))).getHeader().setFlag(Flags.AD);
        return this;
    }

    @Override
    public CompletableFuture<Message> ask(Name name, int type, int dclass, boolean checkingDisabled, boolean dnssecOk) {
        return CompletableFuture.completedFuture(answer(name, type));
    }

    /** The table's answer, a fresh copy as from the wire; null when there is none. */
    Message answer(Name name, int type) {
        asked.add(name.toString() + " " + Type.string(type));
        Message m = answers.get(key(name.toString(), type));
        if (m == null) {
            return null;
        }
        try {
            return new Message(m.toWire());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A record from a zone-file line "owner TTL CLASS TYPE RDATA". */
    static Record rr(String line) {
        String[] f = line.trim().split("\\s+", 5);
        try {
            return Record.fromString(name(f[0]), Type.value(f[3]), DClass.value(f[2]), Long.parseLong(f[1]), f[4],
                    Name.root);
        } catch (IOException e) {
            throw new AssertionError(line, e);
        }
    }

    static Name name(String s) {
        try {
            return Name.fromString(s.endsWith(".") ? s : s + ".");
        } catch (TextParseException e) {
            throw new AssertionError(s, e);
        }
    }

    private static String key(String name, int type) {
        return name(name).toString().toLowerCase(java.util.Locale.ROOT) + " " + type;
    }
}
