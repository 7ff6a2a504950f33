package com.genericapp.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request body limit is set once for the API
 * ({@code spring.http.codecs.max-in-memory-size}, which the 413 detail reads); Nginx, a
 * separate tier, refuses bigger bodies before they reach it and says so in its own 413
 * page. These read both Nginx files and hold them to the API's number.
 */
class BodyLimitAgreementTests {

    private static final Path NGINX = Path.of("..", "frontend", "nginx");

    private static DataSize apiLimit() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yaml"));
        Properties properties = yaml.getObject();
        assertThat(properties).isNotNull();
        return DataSize.parse(properties.getProperty("spring.http.codecs.max-in-memory-size"));
    }

    private static String group(Path file, String regex) throws IOException {
        Matcher matcher = Pattern.compile(regex).matcher(Files.readString(file));
        assertThat(matcher.find()).as("%s in %s", regex, file).isTrue();
        return matcher.group(1);
    }

    @Test
    void nginxRefusesBodiesAtTheApisLimit() throws IOException {
        String nginx = group(NGINX.resolve("templates/default.conf.template"), "client_max_body_size\\s+(\\d+)k;");
        assertThat(DataSize.ofKilobytes(Long.parseLong(nginx))).isEqualTo(apiLimit());
    }

    @Test
    void nginxsProblemPageStatesTheSameLimitAsTheApi() throws IOException {
        String stated = group(NGINX.resolve("snippets/problem-pages.conf"), "Request bodies are limited to ([^.]+)\\.");
        assertThat(stated).isEqualTo(ApiExceptionHandler.readable(apiLimit()));
    }

}
