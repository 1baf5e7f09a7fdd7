package dev.isthmus.alg.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

/**
 * Makes the server connection for a {@link Target}. The future fails with {@link Refused} when
 * the destination is refused, does not resolve or does not answer. A seam: the fuzz test puts in
 * a connector that makes no connection.
 */
interface Connector {
    /** Completes on {@code loop} with a connected channel, reading off and its pipeline empty. */
    Future<Channel> connect(EventLoop loop, Target target);
}
