package dev.strata.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.http.auth.ApiKeys;
import dev.strata.runtime.Engine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With an API key set, no route but {@code /health} answers without it. The routes are the app's own
 * list ({@link StrataServer#routes()}), features' routes (metrics, admin) included, so a route added
 * later is checked without anyone remembering to add it here.
 */
class EveryRouteNeedsAKeyTest {
    private static final String KEY = "sk-every-route";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path tmp;

    private static int status(StrataServer server, String route, String authorization) throws Exception {
        String method = route.substring(0, route.indexOf(' '));
        // path parameters ({id}, {model}...) get a served model id: a real target, not a 404 by accident
        String path = route.substring(route.indexOf(' ') + 1).replaceAll("\\{[^}]*}", TestServers.STORIES);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path))
                .method(method, method.equals("GET") || method.equals("HEAD") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void everyRouteButHealthRefusesARequestWithoutTheKey() throws Exception {
        ServerOptions options = TestServers.options(TestServers.modelsDir(tmp));
        try (Engine engine = Engine.create(options.engine())) {
            ServerOperations ops = ServerOperations.create(engine, ApiKeys.of(List.of(KEY)), List.of("*"),
                    ServerOperations.resolver(options));
            try (StrataServer server = new StrataServer(options.withFeatures(ops.features()).withObserver(ops.observer()),
                    engine).start()) {
                List<String> routes = server.routes();
                assertThat(routes).as("the OpenAI, metrics and admin routes are all listed")
                        .contains("GET /health", "POST /v1/chat/completions", "GET /metrics")
                        .anyMatch(r -> r.contains("/admin/"));
                for (String route : routes) {
                    if (route.equals("GET /health")) {
                        assertThat(status(server, route, null)).as(route).isEqualTo(200);
                        continue;
                    }
                    for (String wrong : new String[] {null, "Bearer sk-wrong", "Bearer " + KEY + "x", "Bearer ",
                            "Basic " + KEY, KEY, "Bearer " + KEY.substring(0, KEY.length() - 1)}) {
                        assertThat(status(server, route, wrong)).as("%s with Authorization %s", route, wrong).isEqualTo(401);
                    }
                    assertThat(status(server, route, "Bearer " + KEY)).as("%s with the key", route).isNotEqualTo(401);
                }
                assertThat(status(server, "GET /v1/no-such-route", null)).as("an unknown path discloses nothing").isEqualTo(401);
                assertThat(status(server, "POST /health", null)).as("no other method on /health does anything").isNotEqualTo(200);
            }
        }
    }
}
