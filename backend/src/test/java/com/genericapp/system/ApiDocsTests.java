package com.genericapp.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.genericapp.testsupport.PostgresIntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The live OpenAPI description tells the identity rules and the problem answers. */
class ApiDocsTests extends PostgresIntegrationTest {

    @Autowired
    WebTestClient http;

    @Test
    @SuppressWarnings("unchecked")
    void everyOperationNamesItsSecurityTagAndProblemAnswers() throws Exception {
        String raw = this.http.get()
            .uri("/v3/api-docs")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
        // kept for linters (Spectral with the OWASP ruleset reads target/api-docs.json)
        Files.writeString(Path.of("target", "api-docs.json"), raw);
        Map<String, Object> docs = JsonMapper.builder().build().readValue(raw, Map.class);
        Map<String, Object> schemes = (Map<String, Object>) ((Map<String, Object>) docs.get("components"))
            .get("securitySchemes");
        assertThat((Map<String, Object>) schemes.get("session")).containsEntry("in", "cookie")
            .containsEntry("name", "SESSION");
        assertThat((Map<String, Object>) schemes.get("csrf")).containsEntry("in", "header")
            .containsEntry("name", "X-XSRF-TOKEN");
        Map<String, Map<String, Map<String, Object>>> paths = (Map<String, Map<String, Map<String, Object>>>) docs
            .get("paths");
        assertThat(paths).containsKeys("/api/items", "/api/items/export", "/api/items/{id}", "/api/session",
                "/api/users");
        // the NDJSON export is an operation of its own, and the listing is JSON only
        assertThat(paths.get("/api/items").get("get")).containsEntry("operationId", "listItems");
        assertThat(paths.get("/api/items/export").get("get")).containsEntry("operationId", "exportItems");
        assertThat(String.valueOf(paths.get("/api/items").get("get").get("responses"))).doesNotContain("ndjson");
        assertThat(String.valueOf(paths.get("/api/items/export").get("get").get("responses")))
            .contains("application/x-ndjson")
            .doesNotContain("DataBuffer");
        assertThat((List<?>) docs.get("servers")).hasSize(1);
        int operations = 0;
        for (var path : paths.entrySet()) {
            for (var operation : path.getValue().entrySet()) {
                operations++;
                String name = operation.getKey() + " " + path.getKey();
                Map<String, Object> responses = (Map<String, Object>) operation.getValue().get("responses");
                assertThat(responses).as(name).containsKeys("401", "500", "503");
                assertThat((List<?>) operation.getValue().get("tags")).as(name).hasSize(1);
                assertThat(operation.getValue()).as(name).containsKeys("operationId", "summary");
                if (!operation.getKey().equals("get")) {
                    Map<String, Object> ok = (Map<String, Object>) responses.entrySet()
                        .stream()
                        .filter((response) -> response.getKey().startsWith("2"))
                        .findFirst()
                        .orElseThrow()
                        .getValue();
                    // what identity/RateLimits sends (IdentityTests proves it is sent)
                    assertThat((Map<String, Object>) ok.get("headers")).as(name)
                        .containsKeys("RateLimit", "RateLimit-Policy");
                }
                List<Map<String, Object>> security = (List<Map<String, Object>>) operation.getValue().get("security");
                if (name.equals("post /api/session")) {
                    assertThat(security).as(name).isEmpty();
                    assertThat(responses).containsKey("429");
                }
                else {
                    assertThat(security.get(0)).as(name).containsKey("session");
                    assertThat(responses).as(name).containsKey("403");
                }
            }
        }
        assertThat(operations).isGreaterThanOrEqualTo(10);
        assertThat(paths.get("/api/items/{id}").get("put").get("responses"))
            .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
            .containsKeys("400", "404", "412");
    }

}
