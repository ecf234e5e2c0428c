package io.tumbler.lockservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodePathTest {

  @Test
  void parsesCellAndComponents() {
    NodePath path = NodePath.parse("/ls/local/service/primary");

    assertThat(path.cell()).isEqualTo("local");
    assertThat(path.components()).containsExactly("service", "primary");
    assertThat(path.baseName()).contains("primary");
    assertThat(path.parent()).contains(NodePath.parse("/ls/local/service"));
    assertThat(path).hasToString("/ls/local/service/primary");
  }

  @Test
  void cellAloneIsTheRootDirectory() {
    NodePath root = NodePath.parse("/ls/local");

    assertThat(root.isRoot()).isTrue();
    assertThat(root.parent()).isEmpty();
    assertThat(root.baseName()).isEmpty();
    assertThat(root.contains(NodePath.parse("/ls/local/a/b"))).isTrue();
    assertThat(NodePath.parse("/ls/other/a").parent()).contains(NodePath.parse("/ls/other"));
    assertThat(NodePath.parse("/ls/other/a").parent().flatMap(NodePath::parent)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "/local/a            | must start with /ls/",
        "ls/local/a          | must start with /ls/",
        "/ls/                | empty component",
        "/ls//a              | empty component",
        "/ls/local/a//b      | empty component",
        "/ls/local/a/        | empty component",
        "/ls/local/./a       | '.' component",
        "/ls/local/a/..      | '..' component",
        "/ls/../a            | '..' component",
      })
  void rejectsMalformedNamesWithTheRuleTheyBreak(String name, String rule) {
    assertThatThrownBy(() -> NodePath.parse(name))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageStartingWith("bad name: ")
        .hasMessageContaining(rule);
  }

  @Test
  void rejectsControlCharactersAndNul() {
    assertThatThrownBy(() -> NodePath.parse("/ls/local/a\u0000b"))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("control character (0x00)")
        .hasMessageContaining("a\\x00b");
    assertThatThrownBy(() -> NodePath.parse("/ls/local/a\nb"))
        .hasMessageContaining("control character (0x0a)");
  }

  @Test
  void enforcesEveryLengthLimit() {
    Limits small = new Limits(4, 2, 20, 0);

    assertThat(NodePath.parse("/ls/cell/abcd/efgh", small).components()).hasSize(2);
    assertThatThrownBy(() -> NodePath.parse("/ls/cell/abcde", small))
        .hasMessageContaining("component is 5 bytes, longer than the limit of 4");
    assertThatThrownBy(() -> NodePath.parse("/ls/cell/a/b/c", small))
        .hasMessageContaining("3 components below the cell, more than the limit of 2");
    assertThatThrownBy(() -> NodePath.parse("/ls/cell/abcd/efgh/", small))
        .hasMessageContaining("3 components below the cell");
    assertThatThrownBy(() -> NodePath.parse("/ls/cell/abcd/efghi", new Limits(10, 5, 18, 0)))
        .hasMessageContaining("name is 19 bytes, longer than the limit of 18");
  }

  @Test
  void limitsCountUtf8BytesNotChars() {
    Limits small = new Limits(4, 2, 64, 0);
    String twoCharsFourBytes = "\u00e9\u00e9";
    String threeCharsSixBytes = "\u00e9\u00e9\u00e9";

    assertThat(NodePath.parse("/ls/c/" + twoCharsFourBytes, small).baseName())
        .contains(twoCharsFourBytes);
    assertThatThrownBy(() -> NodePath.parse("/ls/c/" + threeCharsSixBytes, small))
        .hasMessageContaining("component is 6 bytes");
  }

  @Test
  void childIsValidatedLikeAnyName() {
    NodePath dir = NodePath.parse("/ls/local/dir");

    assertThat(dir.child("x", Limits.DEFAULTS)).isEqualTo(NodePath.parse("/ls/local/dir/x"));
    assertThatThrownBy(() -> dir.child("a/b", new Limits(255, 2, 1024, 0)))
        .hasMessageContaining("more than the limit of 2");
    assertThatThrownBy(() -> dir.child("..", Limits.DEFAULTS))
        .hasMessageContaining("'..' component");
  }

  @Test
  void equalityIsByCellAndComponents() {
    assertThat(NodePath.parse("/ls/a/x")).isEqualTo(NodePath.parse("/ls/a/x"));
    assertThat(NodePath.parse("/ls/a/x")).hasSameHashCodeAs(NodePath.parse("/ls/a/x"));
    assertThat(NodePath.parse("/ls/a/x")).isNotEqualTo(NodePath.parse("/ls/b/x"));
    assertThat(NodePath.parse("/ls/a").contains(NodePath.parse("/ls/b/x"))).isFalse();
    assertThat(NodePath.parse("/ls/a/x").contains(NodePath.parse("/ls/a/xy"))).isFalse();
  }

  @Test
  void limitsCheckTheirRelations() {
    assertThatThrownBy(() -> new Limits(300, 2, 100, 0))
        .hasMessageContaining("maxPathBytes (100) must be >= maxComponentBytes (300)");
    assertThatThrownBy(() -> new Limits(0, 2, 100, 0)).hasMessageContaining("maxComponentBytes");
  }
}
