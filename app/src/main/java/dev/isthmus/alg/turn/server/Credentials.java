package dev.isthmus.alg.turn.server;

import dev.isthmus.alg.turn.LongTermCredentials;
import dev.isthmus.alg.turn.SharedSecretCredentials;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The long-term keys (RFC 8489 §9.2.2) of the users the server knows: those of {@code [[turn.users]]},
 * computed once, and those the REST-style shared secret vouches for (coturn's
 * {@code static-auth-secret}: a user name {@code "<expiry>:<user>"} whose password is the
 * secret's HMAC of it, refused once the expiry has passed).
 */
final class Credentials {
    private final String realm;
    private final Map<String, byte[]> keys = new HashMap<>();
    private final byte[] secret;

    Credentials(TurnSettings s) {
        this.realm = s.realm();
        s.users().forEach((name, password) -> keys.put(name, LongTermCredentials.md5Key(name, realm, password)));
        this.secret = s.staticAuthSecret() == null ? null : s.staticAuthSecret().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The MD5 key of {@code username} (the only password algorithm this server offers: it sends no
     * PASSWORD-ALGORITHMS, RFC 8489 §9.2.1), or null for a user it does not know.
     */
    byte[] key(String username, long unixSeconds) {
        byte[] k = keys.get(username);
        if (k != null) {
            return k;
        }
        if (secret != null && SharedSecretCredentials.isCurrent(username, unixSeconds)) {
            return SharedSecretCredentials.md5Key(secret, username, realm);
        }
        return null;
    }
}
