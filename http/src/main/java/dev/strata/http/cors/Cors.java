package dev.strata.http.cors;

import dev.strata.http.ServerFeature;
import io.javalin.config.JavalinConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cross-origin access for browser clients, through Javalin's bundled CORS plugin; off unless origins
 * are given. {@code *} allows every origin; otherwise each origin is {@code scheme://host[:port]}.
 * Preflights ({@code OPTIONS}) are answered without an API key, as browsers send them without one, and
 * the requested headers ({@code Authorization}, {@code Content-Type}) are allowed.
 *
 * <pre>{@code
 * ServerFeature cors = Cors.allowing(List.of("https://chat.example.com", "http://localhost:3000"));
 * ServerFeature open = Cors.allowing(List.of("*"));
 * ServerFeature off = Cors.allowing(List.of());      // no CORS headers at all
 * }</pre>
 */
public final class Cors implements ServerFeature {
    private final List<String> origins;
    private final boolean anyOrigin;

    private Cors(List<String> origins, boolean anyOrigin) {
        this.origins = List.copyOf(origins);
        this.anyOrigin = anyOrigin;
    }

    /**
     * CORS for these origins ({@code --cors-origin}, repeatable); empty turns it off.
     *
     * @throws IllegalArgumentException for a value that is neither {@code *} nor {@code scheme://host[:port]}
     */
    public static Cors allowing(List<String> origins) {
        List<String> checked = new ArrayList<>();
        boolean any = false;
        for (String origin : origins) {
            String o = origin.strip();
            if (o.equals("*")) {
                any = true;
            } else {
                checked.add(checked(o));
            }
        }
        return new Cors(checked, any);
    }

    /** Whether any origin is allowed (CORS is on). */
    public boolean enabled() {
        return anyOrigin || !origins.isEmpty();
    }

    @Override
    public void configure(JavalinConfig config) {
        if (!enabled()) {
            return;
        }
        config.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
            if (anyOrigin) {
                rule.anyHost();
            } else {
                rule.allowHost(origins.get(0), origins.subList(1, origins.size()).toArray(String[]::new));
            }
        }));
    }

    private static String checked(String origin) {
        String why = null;
        try {
            URI uri = new URI(origin);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                why = "it has no http or https scheme";
            } else if (uri.getHost() == null) {
                why = "it has no host";
            } else if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                why = "an origin has no path, query or user";
            }
        } catch (URISyntaxException e) {
            why = e.getReason();
        }
        if (why != null) {
            throw new IllegalArgumentException("--cors-origin '" + origin + "' is not an origin (" + why
                    + "): give * or scheme://host[:port], e.g. https://chat.example.com");
        }
        return origin;
    }
}
