package io.tumbler.lockservice;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Joiner;
import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A validated node name: {@code /ls/<cell>/<component>/...}.
 *
 * <p>Components are non-empty, contain no {@code /}, no NUL or other control character, are not
 * {@code .} or {@code ..}, and fit the {@link Limits}. {@code /ls/<cell>} alone names the cell's
 * root directory. Parsing is the only way to build one, so every {@code NodePath} in the system is
 * valid.
 */
public final class NodePath {

  private static final String PREFIX = "/ls/";
  private static final Splitter SLASH = Splitter.on('/');
  private static final Joiner JOIN_SLASH = Joiner.on('/');

  private final String cell;
  private final ImmutableList<String> components;

  private NodePath(String cell, ImmutableList<String> components) {
    this.cell = cell;
    this.components = components;
  }

  /** Parses {@code name} under the default limits. */
  public static NodePath parse(String name) {
    return parse(name, Limits.DEFAULTS);
  }

  /**
   * Parses and validates {@code name}.
   *
   * @throws InvalidNameException naming the rule the name breaks
   */
  public static NodePath parse(String name, Limits limits) {
    if (name == null) {
      throw new InvalidNameException("name is null");
    }
    int pathBytes = utf8Length(name);
    if (pathBytes > limits.maxPathBytes()) {
      throw new InvalidNameException(
          "name is %d bytes, longer than the limit of %d", pathBytes, limits.maxPathBytes());
    }
    if (!name.startsWith(PREFIX)) {
      throw new InvalidNameException("name must start with %s<cell>: %s", PREFIX, name);
    }
    List<String> parts = SLASH.splitToList(name.substring(PREFIX.length()));
    String cell = parts.get(0);
    checkComponent(name, cell, limits);
    List<String> components = parts.subList(1, parts.size());
    if (components.size() > limits.maxDepth()) {
      throw new InvalidNameException(
          "name has %d components below the cell, more than the limit of %d: %s",
          components.size(), limits.maxDepth(), name);
    }
    for (String component : components) {
      checkComponent(name, component, limits);
    }
    return new NodePath(cell, ImmutableList.copyOf(components));
  }

  private static void checkComponent(String name, String component, Limits limits) {
    if (component.isEmpty()) {
      throw new InvalidNameException("name has an empty component: %s", name);
    }
    if (component.equals(".") || component.equals("..")) {
      throw new InvalidNameException("name has a '%s' component: %s", component, name);
    }
    for (int i = 0; i < component.length(); i++) {
      char c = component.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new InvalidNameException(
            "name has a control character (0x%02x) at component '%s'",
            (int) c, printable(component));
      }
    }
    int bytes = utf8Length(component);
    if (bytes > limits.maxComponentBytes()) {
      throw new InvalidNameException(
          "name component is %d bytes, longer than the limit of %d: %s",
          bytes, limits.maxComponentBytes(), name);
    }
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }

  /** The cell this name belongs to, e.g. {@code local}. */
  public String cell() {
    return cell;
  }

  /** The components below the cell; empty for the cell's root. */
  public List<String> components() {
    return components;
  }

  public boolean isRoot() {
    return components.isEmpty();
  }

  /** The last component, or empty for the root. */
  public Optional<String> baseName() {
    return isRoot() ? Optional.empty() : Optional.of(components.get(components.size() - 1));
  }

  /** The parent directory, or empty for the root. */
  public Optional<NodePath> parent() {
    return isRoot()
        ? Optional.empty()
        : Optional.of(new NodePath(cell, components.subList(0, components.size() - 1)));
  }

  /** The child {@code component} of this node, validated under {@code limits}. */
  public NodePath child(String component, Limits limits) {
    checkArgument(component != null, "component is null");
    return parse(this + "/" + component, limits);
  }

  /** True if {@code other} is this node or lies below it. */
  public boolean contains(NodePath other) {
    return cell.equals(other.cell)
        && other.components.size() >= components.size()
        && other.components.subList(0, components.size()).equals(components);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodePath other
        && cell.equals(other.cell)
        && components.equals(other.components);
  }

  @Override
  public int hashCode() {
    return 31 * cell.hashCode() + components.hashCode();
  }

  @Override
  public String toString() {
    return components.isEmpty() ? PREFIX + cell : PREFIX + cell + "/" + JOIN_SLASH.join(components);
  }
}
