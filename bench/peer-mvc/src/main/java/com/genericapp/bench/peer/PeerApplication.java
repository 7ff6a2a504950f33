package com.genericapp.bench.peer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The blocking peer of the items API, for bench/run only: the two reads the benchmark
 * compares, written the way Spring Boot's MVC + JDBC stack would write them.
 */
@SpringBootApplication
public class PeerApplication {

    public static void main(String[] args) {
        SpringApplication.run(PeerApplication.class, args);
    }

}
