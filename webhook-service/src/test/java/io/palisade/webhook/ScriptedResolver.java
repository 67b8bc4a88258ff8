package io.palisade.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import io.palisade.common.egress.HostResolver;

/**
 * The tests' DNS: names under example.test answer what a test scripted, in turn (the last answer repeats), so a
 * test can answer a public address at registration and 127.0.0.1 at delivery. Other names do not resolve.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class ScriptedResolver implements HostResolver {

    private static final Map<String, Deque<List<String>>> ANSWERS = new ConcurrentHashMap<>();

    /** The answers {@code host} gives, one per lookup. */
    @SafeVarargs
    public static void answer(String host, List<String>... answers) {
        ANSWERS.put(host, new ArrayDeque<>(List.of(answers)));
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        Deque<List<String>> answers = ANSWERS.get(host);
        if (answers == null || answers.isEmpty()) {
            throw new UnknownHostException(host);
        }
        List<String> answer;
        synchronized (answers) {
            answer = answers.size() > 1 ? answers.poll() : answers.peek();
        }
        List<InetAddress> addresses = new java.util.ArrayList<>();
        for (String address : answer) {
            addresses.add(InetAddress.getByName(address));
        }
        return addresses;
    }
}
