package io.tumbler.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * DESIGN.md's dependency rule for client-lib: an application that depends on it gets Netty,
 * Jackson, Guava and the SLF4J API, nothing more. The enforcer rule in client-lib/pom.xml checks
 * the whole compile and runtime tree, transitively, against that list plus the CLI's picocli and
 * Logback; it cannot see whether a dependency is optional. This test checks the rest: every direct
 * compile or runtime dependency beyond the application's list is optional, so Maven does not hand
 * it to applications, and the CLI's Logback file is not named logback.xml.
 */
class ClientDependenciesTest {

  /** groupId prefixes (and exact ids) an application may inherit from tumbler-client. */
  private static final Set<String> FOR_APPLICATIONS =
      Set.of(
          "io.tumbler:tumbler-lockservice",
          "io.netty:",
          "com.fasterxml.jackson.",
          "com.google.guava:guava",
          "org.slf4j:slf4j-api");

  record Dependency(String id, String scope, boolean optional) {}

  @Test
  void everythingBeyondNettyJacksonGuavaAndSlf4jIsOptionalOrForTests() throws Exception {
    List<Dependency> dependencies = directDependencies(Path.of("pom.xml"));
    assertThat(dependencies).extracting(Dependency::id).contains("info.picocli:picocli");

    for (Dependency d : dependencies) {
      boolean reachesApplications =
          !d.optional() && !Set.of("test", "provided").contains(d.scope());
      if (reachesApplications) {
        assertThat(FOR_APPLICATIONS.stream().anyMatch(d.id()::startsWith))
            .as("%s reaches every application that depends on tumbler-client; make it optional", d)
            .isTrue();
      }
    }
    assertThat(dependencies)
        .filteredOn(
            d -> d.id().equals("info.picocli:picocli") || d.id().startsWith("ch.qos.logback:"))
        .isNotEmpty()
        .allMatch(d -> d.optional() || d.scope().equals("test"));
  }

  @Test
  void theCliLoggingConfigurationDoesNotConfigureApplications() {
    assertThat(Path.of("src/main/resources/logback.xml")).doesNotExist();
    assertThat(Path.of("src/main/resources", TumblerCli.LOGBACK_CONFIGURATION)).exists();
  }

  private static List<Dependency> directDependencies(Path pom) throws Exception {
    Element project =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(Files.newInputStream(pom))
            .getDocumentElement();
    List<Dependency> out = new ArrayList<>();
    for (Element dependencies : children(project, "dependencies")) {
      for (Element d : children(dependencies, "dependency")) {
        out.add(
            new Dependency(
                text(d, "groupId") + ":" + text(d, "artifactId"),
                text(d, "scope").isEmpty() ? "compile" : text(d, "scope"),
                text(d, "optional").equals("true")));
      }
    }
    return out;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? "" : found.get(0).getTextContent().trim();
  }
}
