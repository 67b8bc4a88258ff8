package io.palisade.common.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Looks a host name up. The service uses DNS ({@link SystemResolver}); tests replace it to script answers. */
public interface HostResolver {

    List<InetAddress> resolve(String host) throws UnknownHostException;
}
